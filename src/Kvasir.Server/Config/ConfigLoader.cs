namespace Kvasir.Server.Config;

/// <summary>What the command line asked for.</summary>
public enum LaunchKind
{
    /// <summary>Run the member with <see cref="LoadedConfig.Config"/>.</summary>
    Run,

    /// <summary>Print the flags and exit 0.</summary>
    Help,

    /// <summary>Print the version and exit 0.</summary>
    Version,
}

/// <summary>The configuration read from the command line, environment or file, and what to warn about.</summary>
public sealed record LoadedConfig(LaunchKind Kind, MemberConfig? Config, IReadOnlyList<string> Warnings, string? ConfigFilePath);

/// <summary>
/// Reads a member's configuration the way etcd does: flags; then, when <c>--config-file</c> (or
/// <c>ETCD_CONFIG_FILE</c>/<c>KVASIR_CONFIG_FILE</c>) names a file, that file alone, ignoring
/// other flags and the environment; otherwise unset flags from <c>KVASIR_*</c> and <c>ETCD_*</c>
/// variables. Every refusal is a <see cref="ConfigException"/> (exit code 2).
/// </summary>
public static class ConfigLoader
{
    public static LoadedConfig Load(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var values = new FlagValues(MemberFlags.All);
        var parsed = FlagParser.ParseArgs(values, args);
        if (parsed.Help)
        {
            return new LoadedConfig(LaunchKind.Help, null, [], null);
        }

        if (parsed.Version)
        {
            return new LoadedConfig(LaunchKind.Version, null, [], null);
        }

        var warnings = new List<string>();
        var file = values.GetString("config-file");
        if (file.Length == 0)
        {
            file = FlagParser.EnvPrefixes
                .Select(p => environment.GetValueOrDefault(FlagParser.ToEnv(p, "config-file"), ""))
                .FirstOrDefault(v => v.Length > 0) ?? "";
        }

        if (file.Length > 0)
        {
            // As etcd: the file replaces flags and environment, not merges with them.
            values = new FlagValues(MemberFlags.All);
            ConfigFile.Apply(values, file);
        }
        else
        {
            warnings.AddRange(FlagParser.ApplyEnvironment(values, environment));
        }

        foreach (var spec in MemberFlags.All)
        {
            if (spec.Ignored && values.IsSet(spec.Name))
            {
                warnings.Add($"--{spec.Name} is accepted for compatibility with etcd and has no effect in Kvasir");
            }
        }

        var config = MemberConfig.From(values);
        warnings.AddRange(config.Validate());
        return new LoadedConfig(LaunchKind.Run, config, warnings, file.Length > 0 ? file : null);
    }

    /// <summary>The help text: every flag by section with its default, as <c>etcd --help</c> lays it out.</summary>
    public static string Usage()
    {
        var text = new System.Text.StringBuilder();
        text.Append("Usage:\n\n  kvasir [flags]\n    Start a Kvasir member.\n\n  kvasir --version\n    Show the version of Kvasir.\n\n  kvasir -h | --help\n    Show the help information about Kvasir.\n\n");
        text.Append("Every flag can also be set as an environment variable: --foo-bar as KVASIR_FOO_BAR or ETCD_FOO_BAR.\n");
        foreach (var section in MemberFlags.All.GroupBy(s => s.Section))
        {
            text.Append('\n').Append(section.Key).Append(":\n");
            foreach (var spec in section)
            {
                text.Append("  --").Append(spec.Name).Append(" '").Append(spec.Default).Append("'\n    ").Append(spec.Help).Append('\n');
            }
        }

        return text.ToString();
    }
}

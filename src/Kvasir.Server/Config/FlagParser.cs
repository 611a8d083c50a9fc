namespace Kvasir.Server.Config;

/// <summary>
/// Reads flags the way Go's flag package does, which is what etcd users type: <c>-name v</c>,
/// <c>--name v</c>, <c>--name=v</c>; a bool flag alone means true and takes a value only as
/// <c>--flag=false</c>. Then fills what the command line left unset from the environment:
/// <c>KVASIR_FOO_BAR</c>, else <c>ETCD_FOO_BAR</c>, for the flag <c>--foo-bar</c>.
/// </summary>
public static class FlagParser
{
    public static readonly string[] EnvPrefixes = ["KVASIR", "ETCD"];

    /// <summary>The outcome of reading the command line: the flags and whether help or the version was asked for.</summary>
    public sealed record Result(bool Help, bool Version);

    /// <summary>Applies command-line arguments to <paramref name="values"/>; throws <see cref="ConfigException"/> on anything unknown or malformed.</summary>
    public static Result ParseArgs(FlagValues values, IReadOnlyList<string> args)
    {
        var help = false;
        var version = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.Length < 2 || arg[0] != '-' || arg == "--")
            {
                var rest = arg == "--" && i + 1 < args.Count ? args[i + 1] : arg;
                if (arg == "--" && i + 1 >= args.Count)
                {
                    break;
                }

                throw new ConfigException($"'{rest}' is not a valid flag");
            }

            var body = arg[1] == '-' ? arg[2..] : arg[1..];
            if (body.Length == 0 || body[0] == '-' || body[0] == '=')
            {
                throw new ConfigException($"bad flag syntax: {arg}");
            }

            string name;
            string? value = null;
            var eq = body.IndexOf('=');
            if (eq >= 0)
            {
                name = body[..eq];
                value = body[(eq + 1)..];
            }
            else
            {
                name = body;
            }

            if (name is "h" or "help")
            {
                help = true;
                continue;
            }

            if (!values.TryGetSpec(name, out _))
            {
                throw new ConfigException($"flag provided but not defined: -{name}");
            }

            if (values.IsBool(name))
            {
                values.Set(name, value ?? "true", FlagSource.CommandLine);
                if (name == "version" && values.GetBool("version"))
                {
                    version = true;
                }

                continue;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    throw new ConfigException($"flag needs an argument: -{name}");
                }

                value = args[++i];
            }

            values.Set(name, value, FlagSource.CommandLine);
        }

        return new Result(help, version);
    }

    /// <summary>Env name of a flag: prefix, upper case, dashes to underscores.</summary>
    public static string ToEnv(string prefix, string flag) => prefix + "_" + flag.ToUpperInvariant().Replace('-', '_');

    /// <summary>
    /// Fills flags the command line left unset from <paramref name="environment"/>. Returns the
    /// warnings to log (unrecognized <c>ETCD_</c>/<c>KVASIR_</c> variables). A variable for a flag
    /// that is also on the command line is refused, as etcd refuses it, since one of the two
    /// would be silently ignored.
    /// </summary>
    public static List<string> ApplyEnvironment(FlagValues values, IReadOnlyDictionary<string, string> environment)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in values.Specs)
        {
            foreach (var name in spec.AllNames)
            {
                foreach (var prefix in EnvPrefixes)
                {
                    var key = ToEnv(prefix, name);
                    if (!environment.TryGetValue(key, out var value) || value.Length == 0)
                    {
                        continue;
                    }

                    used.Add(key);
                    var source = values.SourceOf(spec.Name);
                    if (source == FlagSource.CommandLine)
                    {
                        throw new ConfigException($"conflicting environment variable \"{key}\" is shadowed by corresponding command-line flag (either unset environment variable or disable flag)");
                    }

                    // KVASIR_ comes first in EnvPrefixes and wins over ETCD_.
                    if (source == FlagSource.Default)
                    {
                        values.Set(name, value, FlagSource.Environment, key);
                    }
                }
            }
        }

        var warnings = new List<string>();
        foreach (var (key, value) in environment.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!used.Contains(key) && EnvPrefixes.Any(p => key.StartsWith(p + "_", StringComparison.Ordinal)) && !IsToolVariable(key))
            {
                warnings.Add($"unrecognized environment variable {key}={value}");
            }
        }

        return warnings;
    }

    // Variables of etcd's and Kvasir's client tools share the prefixes and are not the member's.
    private static bool IsToolVariable(string key) =>
        key.StartsWith("ETCDCTL_", StringComparison.Ordinal) || key.StartsWith("ETCDUTL_", StringComparison.Ordinal) ||
        key.StartsWith("KVASIRCTL_", StringComparison.Ordinal) || key.StartsWith("KVASIRUTL_", StringComparison.Ordinal);
}

using System.Globalization;

namespace Kvasir.Server.Config;

/// <summary>Where a flag's value came from.</summary>
public enum FlagSource
{
    Default,
    CommandLine,
    Environment,
    ConfigFile,
}

/// <summary>
/// The value of every flag, checked against its type when set, with where it came from. Typed
/// getters read values that are known to parse.
/// </summary>
public sealed class FlagValues
{
    private readonly Dictionary<string, FlagSpec> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string Value, FlagSource Source)> _values = new(StringComparer.Ordinal);

    public FlagValues(IEnumerable<FlagSpec> specs)
    {
        foreach (var spec in specs)
        {
            foreach (var name in spec.AllNames)
            {
                _byName[name] = spec;
            }

            _values[spec.Name] = (spec.Default, FlagSource.Default);
        }
    }

    public IEnumerable<FlagSpec> Specs => _byName.Values.Distinct();

    public bool TryGetSpec(string name, out FlagSpec spec) => _byName.TryGetValue(name, out spec!);

    /// <summary>Sets a flag by any of its names; throws <see cref="ConfigException"/> when the value does not parse as the flag's type.</summary>
    public void Set(string name, string value, FlagSource source, string? origin = null)
    {
        if (!_byName.TryGetValue(name, out var spec))
        {
            throw new ConfigException($"flag provided but not defined: -{name}");
        }

        if (!IsValid(spec.Type, value))
        {
            throw new ConfigException(origin is null
                ? $"invalid value \"{value}\" for flag -{name}: parse error"
                : $"invalid value \"{value}\" for {origin}: parse error");
        }

        _values[spec.Name] = (spec.Type == FlagType.Bool ? NormalizeBool(value) : value, source);
    }

    public FlagSource SourceOf(string name) => _values[Canonical(name)].Source;

    public bool IsSet(string name) => SourceOf(name) != FlagSource.Default;

    public string GetString(string name) => _values[Canonical(name)].Value;

    public bool GetBool(string name) => GetString(name) == "true";

    public long GetInt(string name) => long.Parse(GetString(name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    public ulong GetUInt(string name) => GetString(name) is "math.MaxUint32" ? uint.MaxValue : ulong.Parse(GetString(name), NumberStyles.None, CultureInfo.InvariantCulture);

    public TimeSpan GetDuration(string name) => GoDuration.TryParse(GetString(name), out var d) ? d : TimeSpan.Zero;

    public IReadOnlyList<string> GetList(string name) =>
        GetString(name).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public IReadOnlyList<Uri> GetUrls(string name)
    {
        var result = new List<Uri>();
        foreach (var item in GetList(name))
        {
            var uri = new Uri(item);
            if (!result.Contains(uri))
            {
                result.Add(uri);
            }
        }

        return result;
    }

    /// <summary>Whether a flag of type Bool is given a value inline (<c>--flag=v</c>) or stands alone.</summary>
    public bool IsBool(string name) => _byName.TryGetValue(name, out var spec) && spec.Type == FlagType.Bool;

    private string Canonical(string name) =>
        _byName.TryGetValue(name, out var spec) ? spec.Name : throw new ArgumentException($"no flag named {name}", nameof(name));

    private static bool IsValid(FlagType type, string value) => type switch
    {
        FlagType.String => true,
        FlagType.Bool => TryBool(value, out _),
        FlagType.Int => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
        FlagType.UInt => value == "math.MaxUint32" || ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
        FlagType.Duration => GoDuration.TryParse(value, out _),
        FlagType.Urls => value.Length == 0 || value.Split(',', StringSplitOptions.TrimEntries).All(IsUrl),
        FlagType.List => true,
        _ => false,
    };

    private static bool IsUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "unix" or "unixs" && uri.Host.Length > 0;

    private static string NormalizeBool(string value) => TryBool(value, out var b) && b ? "true" : "false";

    // Go's strconv.ParseBool.
    private static bool TryBool(string value, out bool result)
    {
        switch (value)
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True":
                result = true;
                return true;
            case "0" or "f" or "F" or "false" or "FALSE" or "False":
                result = false;
                return true;
            default:
                result = false;
                return false;
        }
    }
}

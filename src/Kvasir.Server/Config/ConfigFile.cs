using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kvasir.Server.Config;

/// <summary>
/// Reads etcd's YAML configuration file: top-level keys are flag names; TLS settings are nested
/// under <c>client-transport-security</c> and <c>peer-transport-security</c>. An empty value keeps
/// the default. A key that is no flag is an error, as a misspelt key would otherwise be lost.
/// </summary>
public static class ConfigFile
{
    private static readonly Dictionary<string, string> ClientTlsKeys = new(StringComparer.Ordinal)
    {
        ["cert-file"] = "cert-file",
        ["key-file"] = "key-file",
        ["client-cert-auth"] = "client-cert-auth",
        ["trusted-ca-file"] = "trusted-ca-file",
        ["auto-tls"] = "auto-tls",
        ["crl-file"] = "client-crl-file",
        ["allowed-hostname"] = "client-cert-allowed-hostname",
        ["client-cert-file"] = "client-cert-file",
        ["client-key-file"] = "client-key-file",
    };

    private static readonly Dictionary<string, string> PeerTlsKeys = new(StringComparer.Ordinal)
    {
        ["cert-file"] = "peer-cert-file",
        ["key-file"] = "peer-key-file",
        ["client-cert-auth"] = "peer-client-cert-auth",
        ["trusted-ca-file"] = "peer-trusted-ca-file",
        ["auto-tls"] = "peer-auto-tls",
        ["crl-file"] = "peer-crl-file",
        ["allowed-cn"] = "peer-cert-allowed-cn",
        ["allowed-hostname"] = "peer-cert-allowed-hostname",
        ["client-cert-file"] = "peer-client-cert-file",
        ["client-key-file"] = "peer-client-key-file",
    };

    /// <summary>Applies the file at <paramref name="path"/> to <paramref name="values"/>; throws <see cref="ConfigException"/> naming the file on any problem.</summary>
    public static void Apply(FlagValues values, string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read config file {path}: {e.Message}");
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ConfigException($"error parsing config file {path}: {e.Message}");
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ConfigException($"error parsing config file {path}: the top level is not a mapping of keys to values");
        }

        foreach (var (keyNode, valueNode) in root.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            switch (key)
            {
                case "client-transport-security":
                    ApplyNested(values, path, key, valueNode, ClientTlsKeys);
                    break;
                case "peer-transport-security":
                    ApplyNested(values, path, key, valueNode, PeerTlsKeys);
                    break;
                default:
                    ApplyOne(values, path, key, key, valueNode);
                    break;
            }
        }
    }

    private static void ApplyNested(FlagValues values, string path, string section, YamlNode node, Dictionary<string, string> keys)
    {
        if (node is YamlScalarNode { Value: null or "" })
        {
            return;
        }

        if (node is not YamlMappingNode mapping)
        {
            throw new ConfigException($"error parsing config file {path}: {section} must be a mapping");
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value ?? "";
            if (!keys.TryGetValue(key, out var flag))
            {
                throw new ConfigException($"error parsing config file {path}: unknown key {section}.{key}");
            }

            ApplyOne(values, path, $"{section}.{key}", flag, valueNode);
        }
    }

    private static void ApplyOne(FlagValues values, string path, string key, string flag, YamlNode node)
    {
        if (!values.TryGetSpec(flag, out _) || flag is "config-file" or "version")
        {
            throw new ConfigException($"error parsing config file {path}: unknown key {key}");
        }

        string? text = node switch
        {
            YamlScalarNode scalar => scalar.Value,
            YamlSequenceNode sequence => string.Join(",", sequence.Children.Select(c => (c as YamlScalarNode)?.Value ?? "")),
            _ => throw new ConfigException($"error parsing config file {path}: {key} must be a value or a list"),
        };

        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        values.Set(flag, text, FlagSource.ConfigFile, $"{key} in config file {path}");
    }
}

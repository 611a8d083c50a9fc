namespace Kvasir.Server.Config;

/// <summary>TLS for one side (clients or peers), as etcd's <c>*-transport-security</c> settings.</summary>
public sealed record TlsSettings(
    string CertFile,
    string KeyFile,
    string TrustedCaFile,
    bool ClientCertAuth,
    bool AutoTls,
    string CrlFile,
    string AllowedCn,
    string AllowedHostname)
{
    public static TlsSettings None { get; } = new("", "", "", false, false, "", "", "");

    /// <summary>Whether this side serves TLS (a certificate is given or generated).</summary>
    public bool Enabled => CertFile.Length > 0 || AutoTls;
}

using System.Reflection;

namespace Kvasir.Server.Hosting;

/// <summary>
/// The versions a member reports. Clients read the etcd version to decide which API features they
/// may use, so Kvasir reports the etcd release whose API it serves; its own version is separate.
/// </summary>
public static class VersionInfo
{
    /// <summary>The etcd server version Kvasir's API matches (Status.version, /version's etcdserver).</summary>
    public const string EtcdServer = "3.4.23";

    /// <summary>The cluster version (/version's etcdcluster): major.minor.0, as etcd reports it.</summary>
    public const string EtcdCluster = "3.4.0";

    /// <summary>Kvasir's own version.</summary>
    public static string Kvasir { get; } =
        typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}

using Kvasir.Testing;

namespace Kvasir.Client.Tests.Support;

/// <summary>Three real etcd 3.4.23 members.</summary>
public sealed class EtcdClusterFixture : ClusterFixture
{
    public EtcdClusterFixture()
        : base(ServerKind.Etcd)
    {
    }

    protected override (string File, string[] Prefix) Command() => (EtcdServer.Binary, []);
}

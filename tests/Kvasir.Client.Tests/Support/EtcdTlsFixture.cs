using Kvasir.Testing;

namespace Kvasir.Client.Tests.Support;

/// <summary>The real etcd 3.4.23 over TLS with client certificates.</summary>
public sealed class EtcdTlsFixture : TlsServerFixture
{
    public EtcdTlsFixture()
        : base(ServerKind.Etcd)
    {
    }

    protected override (string File, string[] Prefix) Command() => (EtcdServer.Binary, []);
}

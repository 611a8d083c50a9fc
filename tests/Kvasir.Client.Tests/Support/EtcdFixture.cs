using Kvasir.Testing;

namespace Kvasir.Client.Tests.Support;

/// <summary>A real etcd 3.4.23.</summary>
public sealed class EtcdFixture : ServerFixture
{
    public EtcdFixture()
        : base(ServerKind.Etcd)
    {
    }

    protected override async Task<(IAsyncDisposable Server, int Port, int Pid)> LaunchAsync()
    {
        var etcd = await EtcdServer.StartAsync();
        return (etcd, etcd.ClientPort, etcd.Pid);
    }
}

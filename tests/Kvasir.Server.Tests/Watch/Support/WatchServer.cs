using Kvasir.Server.Watch;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Watch.Support;

/// <summary>
/// The Watch service hosted on Kestrel on a loopback port the kernel picks, over a harness that
/// plays the member (its store and hub; the test writes through it as the applier would).
/// </summary>
internal sealed class WatchServer : IAsyncDisposable
{
    private readonly LoopbackGrpcServer _server;

    private WatchServer(LoopbackGrpcServer server, HubHarness harness, WatchService service)
    {
        _server = server;
        Harness = harness;
        Service = service;
    }

    public HubHarness Harness { get; }

    public WatchService Service { get; }

    /// <summary>host:port, as etcdctl takes it.</summary>
    public string Endpoint => _server.Endpoint;

    public static async Task<WatchServer> StartAsync(HubHarness harness)
    {
        var service = new WatchService(harness.Hub, harness.Member);
        var server = await LoopbackGrpcServer.StartAsync(service.Register).ConfigureAwait(false);
        return new WatchServer(server, harness, service);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        Service.Dispose();
    }
}

using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;
using Kvasir.Server.Watch;

namespace Kvasir.Server.Tests.Watch.Support;

/// <summary>Kvasir's Watch service on Kestrel; writes go through the in-test member (store, then Notify).</summary>
internal sealed class KvasirTarget : IWatchTarget
{
    private readonly WatchServer _server;

    private KvasirTarget(WatchServer server)
    {
        _server = server;
        Channel = GrpcChannel.ForEndpoints(server.Endpoint);
    }

    public string Name => "kvasir";

    public string Endpoint => _server.Endpoint;

    public GrpcChannel Channel { get; }

    public HubHarness Harness => _server.Harness;

    public static async Task<KvasirTarget> StartAsync(WatchHubOptions? options = null) =>
        new(await WatchServer.StartAsync(new HubHarness(options, manualTime: false)).ConfigureAwait(false));

    public Task<long> PutAsync(string key, string value) => Task.FromResult(Harness.Put(key, value));

    public Task<long> DeleteAsync(string key, string? rangeEnd = null) => Task.FromResult(Harness.Delete(key, rangeEnd));

    public Task<long> TxnAsync(TxnRequest request) => Task.FromResult(Harness.Txn(request));

    public Task CompactAsync(long revision)
    {
        Harness.Compact(revision);
        return Task.CompletedTask;
    }

    public Task<int> WatcherCountAsync() => Task.FromResult(Harness.Hub.WatcherCount);

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _server.DisposeAsync().ConfigureAwait(false);
        _server.Harness.Dispose();
    }
}

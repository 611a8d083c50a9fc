using System.Globalization;
using System.Text.RegularExpressions;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Watch.Support;

/// <summary>A real etcd 3.4.23, written to and watched through Kvasir's gRPC client.</summary>
internal sealed partial class EtcdTarget : IWatchTarget
{
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(10);
    private readonly EtcdServer _etcd;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private EtcdTarget(EtcdServer etcd)
    {
        _etcd = etcd;
        Channel = GrpcChannel.ForEndpoints(etcd.Endpoint);
    }

    public string Name => "etcd";

    public string Endpoint => _etcd.Endpoint;

    public GrpcChannel Channel { get; }

    public static async Task<EtcdTarget> StartAsync(params string[] args) => new(await EtcdServer.StartAsync(args).ConfigureAwait(false));

    public async Task<long> PutAsync(string key, string value) =>
        (await Channel.UnaryAsync(KvMethods.Put, new PutRequest { Key = HubHarness.B(key), Value = HubHarness.B(value) }, Deadline()).ConfigureAwait(false)).Header.Revision;

    public async Task<long> DeleteAsync(string key, string? rangeEnd = null) =>
        (await Channel.UnaryAsync(KvMethods.DeleteRange, new DeleteRangeRequest { Key = HubHarness.B(key), RangeEnd = rangeEnd is null ? Google.Protobuf.ByteString.Empty : HubHarness.B(rangeEnd) }, Deadline()).ConfigureAwait(false)).Header.Revision;

    public async Task<long> TxnAsync(TxnRequest request) =>
        (await Channel.UnaryAsync(KvMethods.Txn, request, Deadline()).ConfigureAwait(false)).Header.Revision;

    public Task CompactAsync(long revision) =>
        Channel.UnaryAsync(KvMethods.Compact, new CompactionRequest { Revision = revision, Physical = true }, Deadline());

    public async Task<int> WatcherCountAsync()
    {
        var metrics = await _http.GetStringAsync($"{_etcd.ClientUrl}/metrics").ConfigureAwait(false);
        var match = WatcherTotal().Match(metrics);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        _http.Dispose();
        await _etcd.DisposeAsync().ConfigureAwait(false);
    }

    private static CallOptions Deadline() => new() { Deadline = DateTime.UtcNow + CallBound };

    [GeneratedRegex("^etcd_debugging_mvcc_watcher_total ([0-9]+)", RegexOptions.Multiline)]
    private static partial Regex WatcherTotal();
}

using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Compat.Tests.Differential;
using Kvasir.Compat.Tests.Support;
using Kvasir.Server.Lease;
using Kvasir.Server.Services;

namespace Kvasir.Compat.Tests;

/// <summary>
/// Bad requests sent to a real kvasir and a real etcd 3.4.23 side by side: each gets the same
/// answer (gRPC status code and message, or the same response) from both, and neither server's
/// store changes — its revision and keys are what they were before.
/// </summary>
public sealed class BadInputCompatTests(ServerPair pair) : IClassFixture<ServerPair>, IAsyncLifetime
{
    private const long UnknownLease = 0x7E00_0000_1234;

    private DiffTarget _kvasir = null!;
    private DiffTarget _etcd = null!;

    public static TheoryData<string> Cases => [.. CaseTable.Keys];

    private static Dictionary<string, Func<DiffTarget, Task<string>>> CaseTable { get; } = new()
    {
        ["put over --max-request-bytes"] = t => t.CallAsync(EtcdMethods.Put, new PutRequest { Key = B("big"), Value = ByteString.CopyFrom(new byte[(int)(1.6 * 1024 * 1024)]) }),
        ["put over the gRPC receive limit"] = t => t.CallAsync(EtcdMethods.Put, new PutRequest { Key = B("huge"), Value = ByteString.CopyFrom(new byte[3 * 1024 * 1024]) }),
        ["txn with 129 ops"] = t => t.CallAsync(EtcdMethods.Txn, TooManyOps()),
        ["put with an empty key"] = t => t.CallAsync(EtcdMethods.Put, new PutRequest { Value = B("v") }),
        ["range with an empty key"] = t => t.CallAsync(EtcdMethods.Range, new RangeRequest()),
        ["delete with an empty key"] = t => t.CallAsync(EtcdMethods.DeleteRange, new DeleteRangeRequest()),
        ["txn compare with an empty key"] = t => t.CallAsync(EtcdMethods.Txn, new TxnRequest { Compare = { new Compare { Target = Compare.Types.CompareTarget.Version } } }),
        ["txn put with an empty key"] = t => t.CallAsync(EtcdMethods.Txn, new TxnRequest { Success = { new RequestOp { RequestPut = new PutRequest { Value = B("v") } } } }),
        ["txn with an empty request op"] = t => t.CallAsync(EtcdMethods.Txn, new TxnRequest { Success = { new RequestOp() } }),
        ["put with an unknown lease"] = t => t.CallAsync(EtcdMethods.Put, new PutRequest { Key = B("k"), Value = B("v"), Lease = UnknownLease }),
        ["txn put with an unknown lease"] = t => t.CallAsync(EtcdMethods.Txn, new TxnRequest { Success = { new RequestOp { RequestPut = new PutRequest { Key = B("k"), Lease = UnknownLease } } } }),
        ["put ignore_value on a missing key"] = t => t.CallAsync(EtcdMethods.Put, new PutRequest { Key = B("missing"), IgnoreValue = true }),
        ["put ignore_value with a value"] = t => t.CallAsync(EtcdMethods.Put, new PutRequest { Key = B("existing"), Value = B("v"), IgnoreValue = true }),
        ["put ignore_lease with a lease"] = t => t.CallAsync(EtcdMethods.Put, new PutRequest { Key = B("existing"), Lease = UnknownLease, IgnoreLease = true }),
        ["revoke an unknown lease"] = t => t.CallAsync(LeaseMethods.Revoke, new LeaseRevokeRequest { ID = UnknownLease }),
        ["time-to-live of an unknown lease"] = t => t.CallAsync(LeaseMethods.TimeToLive, new LeaseTimeToLiveRequest { ID = UnknownLease, Keys = true }),
        ["grant a lease with too large a TTL"] = t => t.CallAsync(LeaseMethods.Grant, new LeaseGrantRequest { ID = UnknownLease, TTL = Lessor.MaxLeaseTtl + 1 }),
        ["range at a future revision"] = t => t.CallAsync(EtcdMethods.Range, new RangeRequest { Key = B("existing"), Revision = 1000 }),
        ["compact a future revision"] = t => t.CallAsync(EtcdMethods.Compact, new CompactionRequest { Revision = 1000 }),
        ["malformed protobuf bytes to Put"] = t => RawAsync(t, "/etcdserverpb.KV/Put", [0x0A, 0x64, 0x01, 0x02, 0x03]),
        ["a negative length in the protobuf bytes"] = t => RawAsync(t, "/etcdserverpb.KV/Put", [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]),
        ["an overlong varint in the protobuf bytes"] = t => RawAsync(t, "/etcdserverpb.KV/Put", [0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ["an unknown method"] = t => RawAsync(t, "/etcdserverpb.KV/Nope", []),
    };

    public Task InitializeAsync()
    {
        _kvasir = new DiffTarget("kvasir", pair.Kvasir.Endpoint);
        _etcd = new DiffTarget("etcd", pair.Etcd.Endpoint);
        return Task.WhenAll(_kvasir.CallAsync(EtcdMethods.Put, new PutRequest { Key = B("existing"), Value = B("value") }), _etcd.CallAsync(EtcdMethods.Put, new PutRequest { Key = B("existing"), Value = B("value") }));
    }

    public Task DisposeAsync()
    {
        _kvasir.Dispose();
        _etcd.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadRequest_SameAnswerAsEtcd_AndNothingChanges(string name)
    {
        var run = CaseTable[name];
        var before = (await StoreAsync(_etcd), await StoreAsync(_kvasir));
        Assert.Equal(before.Item1, before.Item2);

        var expected = await run(_etcd);
        var actual = await run(_kvasir);
        Assert.True(expected == actual, $"{name}\netcd:   {expected}\nkvasir: {actual}");
        Assert.Equal(before, (await StoreAsync(_etcd), await StoreAsync(_kvasir)));
    }

    // Every key with its revisions, and the store's revision.
    private static Task<string> StoreAsync(DiffTarget t) => t.CallAsync(EtcdMethods.Range, new RangeRequest { Key = B("\0"), RangeEnd = B("\0") });

    private static TxnRequest TooManyOps()
    {
        var txn = new TxnRequest();
        for (var i = 0; i < 129; i++)
        {
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = B($"t{i}"), Value = B("v") } });
        }

        return txn;
    }

    // One gRPC frame with the payload given, sent as raw HTTP/2; the answer is the grpc-status and grpc-message.
    private static async Task<string> RawAsync(DiffTarget t, string path, byte[] payload)
    {
        using var handler = new SocketsHttpHandler();
        using var http = new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, Timeout = TimeSpan.FromSeconds(15) };
        var frame = new byte[5 + payload.Length];
        frame[4] = (byte)payload.Length;
        payload.CopyTo(frame, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://{t.Endpoint}{path}") { Content = new ByteArrayContent(frame), Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        return $"http {(int)response.StatusCode} body {body.Length} bytes status {Header(response, "grpc-status")} message '{Uri.UnescapeDataString(Header(response, "grpc-message"))}'";
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var h) ? string.Join(',', h)
        : response.TrailingHeaders.TryGetValues(name, out var t) ? string.Join(',', t) : "";

    private static ByteString B(string s) => ByteString.CopyFromUtf8(s);
}

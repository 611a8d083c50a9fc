using Kvasir.Server.Tests.Gateway.Support;

namespace Kvasir.Server.Tests.Gateway;

/// <summary>
/// Every unary route of the gateway, called with the same bodies on a real kvasir and a real etcd
/// 3.4.23: status, media type and body must be equal once cluster-specific values are masked
/// (<see cref="JsonMask"/>). Bodies are sent as written here, so field spellings (snake_case,
/// lowerCamel), numbers as strings, unknown fields and malformed JSON are exercised as clients send them.
/// Tests of this class share the two servers and run in order of declaration within each test.
/// </summary>
public sealed class GatewayDifferentialTests(GatewayPair pair) : IClassFixture<GatewayPair>
{
    private static readonly Dictionary<string, string> BadTimeout = new() { ["Grpc-Timeout"] = "xx" };

    [Fact]
    public async Task KvRoutes_SameBodiesAsEtcd()
    {
        // Keys under kv/ (a2V2 = "kv/"); foo = "a3YvZm9v", bar = "a3YvYmFy", value "djE=" = "v1", "djI=" = "v2".
        await CompareAsync(
            Step("/v3/kv/put", """{"key":"a3YvZm9v","value":"djE="}"""),
            Step("/v3/kv/put", """{"key":"a3YvZm9v","value":"djI=","prevKv":true}"""),
            Step("/v3/kv/put", """{"key":"a3YvYmFy","value":"djE=","prev_kv":true,"nope":{"x":[1,2]}}"""),
            Step("/v3/kv/range", """{"key":"a3YvZm9v"}"""),
            Step("/v3/kv/range", """{"key":"a3Yv","range_end":"a3Yw","limit":"1","sort_order":"DESCEND","sort_target":"KEY"}"""),
            Step("/v3/kv/range", """{"key":"a3Yv","rangeEnd":"a3Yw","keysOnly":true,"sortOrder":1}"""),
            Step("/v3/kv/range", """{"key":"a3Yv","range_end":"a3Yw","count_only":true,"serializable":true}"""),
            Step("/v3/kv/range", """{"key":"a3YvZm9v","revision":2}"""),
            Step("/v3/kv/range", """{"key":"a3YvZm9v","revision":"1000"}"""),
            Step("/v3/kv/range", "{}"),
            Step("/v3/kv/range", ""),
            Step("/v3/kv/range", """{"key":"""),
            Step("/v3/kv/range", "[1]"),
            Step("/v3/kv/range", """{"key":"a3YvZm9v","limit":"x"}"""),
            Step("/v3/kv/range", """{"key":"a3YvZm9v","sort_order":"BOGUS"}"""),
            Step("/v3/kv/put", """{"key":"!!!","value":"djE="}"""),
            Step("/v3/kv/put", """{"key":"a3YvZm9v","value":"djE=","lease":"12345"}"""),
            Step("/v3/kv/txn", """{"compare":[{"key":"a3YvZm9v","result":"EQUAL","target":"VALUE","value":"djI="}],"success":[{"request_range":{"key":"a3YvZm9v"}},{"request_put":{"key":"a3YvYmF6","value":"djM="}}],"failure":[{"request_delete_range":{"key":"a3YvZm9v"}}]}"""),
            Step("/v3/kv/txn", """{"compare":[{"key":"a3YvZm9v","result":"GREATER","target":"VERSION","version":"10"}],"failure":[{"requestRange":{"key":"a3Yv","rangeEnd":"a3Yw","countOnly":true}}]}"""),
            Step("/v3/kv/txn", """{"success":[{"request_put":{"key":"a3YvZm9v"}},{"request_put":{"key":"a3YvZm9v"}}]}"""),
            Step("/v3/kv/deleterange", """{"key":"a3YvYmF6","prev_kv":true}"""),
            Step("/v3/kv/deleterange", """{"key":"a3Yv","range_end":"a3Yw"}"""),
            Step("/v3/kv/compaction", """{"revision":"3"}"""),
            Step("/v3/kv/compaction", """{"revision":"3"}"""),
            Step("/v3/kv/compaction", """{"revision":"100000"}"""),
            Step("/v3/kv/range", """{"key":"a3YvZm9v","revision":"2"}"""),
            Step("/v3beta/kv/range", """{"key":"a3YvZm9v"}"""),
            Step("/v3/kv/range", """{"key":"a3YvZm9v"}""", headers: BadTimeout),
            Step("/v3/kv/nothing", "{}"),
            Step("/v3/kv/range", null, method: HttpMethod.Get),
            Step("/v3/kv/range", null, method: HttpMethod.Options));
    }

    [Fact]
    public async Task LeaseRoutes_SameBodiesAsEtcd()
    {
        // Client-chosen lease ids, so that ids are equal on both; TTLs left are masked (a second may pass).
        await CompareAsync(
            Step("/v3/lease/grant", """{"TTL":"600","ID":"70001"}"""),
            Step("/v3/lease/grant", """{"TTL":600,"ID":70001}"""),
            Step("/v3/lease/grant", """{"TTL":"9000000001","ID":"70002"}"""),
            Step("/v3/lease/grant", """{"TTL":"x"}"""),
            Step("/v3/kv/put", """{"key":"bGVhc2VkLzE=","value":"djE=","lease":"70001"}"""),
            Step("/v3/lease/timetolive", """{"ID":"70001","keys":true}""", "TTL"),
            Step("/v3/kv/lease/timetolive", """{"ID":"70001"}""", "TTL"),
            Step("/v3/lease/timetolive", """{"ID":"424242"}"""),
            Step("/v3/lease/leases", "{}"),
            Step("/v3/kv/lease/leases", "{}"),
            Step("/v3/lease/revoke", """{"ID":"70001"}"""),
            Step("/v3/kv/range", """{"key":"bGVhc2VkLzE="}"""),
            Step("/v3/kv/lease/revoke", """{"ID":"70001"}"""),
            Step("/v3/lease/revoke", """{"ID":"x"}"""));
    }

    [Fact]
    public async Task MaintenanceAndClusterRoutes_SameBodiesAsEtcd()
    {
        await CompareAsync(
            Step("/v3/maintenance/status", "{}"),
            Step("/v3/maintenance/alarm", "{}"),
            Step("/v3/maintenance/alarm", """{"action":"GET"}"""),
            Step("/v3/maintenance/alarm", """{"action":"SOMETHING"}"""),
            Step("/v3/maintenance/hash", "{}"),
            Step("/v3/maintenance/transfer-leadership", """{"targetID":"1"}"""),
            Step("/v3/cluster/member/list", "{}", "ID"),
            Step("/v3/cluster/member/update", """{"ID":"1","peerURLs":["http://127.0.0.1:1"]}"""),
            Step("/v3/cluster/member/remove", """{"ID":"1"}"""),
            Step("/v3/cluster/member/promote", """{"ID":"1"}"""),
            Step("/v3/cluster/member/add", """{"peerURLs":["bad url"]}"""));
    }

    [Fact]
    public async Task LargeRequests_SameErrorsAsEtcd()
    {
        // Above --max-request-bytes (1.5 MiB): refused by the member; above the gRPC receive limit (2 MiB): by the transport.
        await CompareAsync(
            Step("/v3/kv/put", PutOf(1600 * 1024)),
            Step("/v3/kv/put", PutOf(2100 * 1024)),
            Step("/v3/kv/range", """{"key":"Ymln"} trailing values are never read"""));
    }

    [Fact]
    public async Task Defragment_BothAnswer200()
    {
        // etcd 3.4's Defragment answers {} (no header); kvasir's carries the header (see the gateway's README).
        var e = await pair.SendAsync(pair.Etcd.ClientUrl, HttpMethod.Post, "/v3/maintenance/defragment", "{}");
        var k = await pair.SendAsync(pair.Kvasir.ClientUrl, HttpMethod.Post, "/v3/maintenance/defragment", "{}");
        Assert.Equal((200, "application/json"), (e.Status, e.MediaType));
        Assert.Equal((200, "application/json"), (k.Status, k.MediaType));
    }

    [Fact]
    public async Task Answers_CarryEtcdHeaders()
    {
        foreach (var url in new[] { pair.Etcd.ClientUrl, pair.Kvasir.ClientUrl })
        {
            var ok = await pair.SendAsync(url, HttpMethod.Post, "/v3/maintenance/status", "{}");
            Assert.Equal("application/grpc", ok.Header("Grpc-Metadata-Content-Type"));
            Assert.Equal("*", ok.Header("Access-Control-Allow-Origin"));
            Assert.Equal("POST, GET, OPTIONS, PUT, DELETE", ok.Header("Access-Control-Allow-Methods"));
            Assert.Equal("accept, content-type, authorization", ok.Header("Access-Control-Allow-Headers"));
            var missing = await pair.SendAsync(url, HttpMethod.Post, "/v3/kv/nothing", "{}");
            Assert.Equal("nosniff", missing.Header("X-Content-Type-Options"));
        }
    }

    [Fact]
    public async Task HashKV_ServedByKvasirOnly()
    {
        // etcd 3.4 maps no path to HashKV (its /v3/maintenance/hash is Hash); kvasir serves 3.5's path.
        var e = await pair.SendAsync(pair.Etcd.ClientUrl, HttpMethod.Post, "/v3/maintenance/hashkv", "{}");
        var k = await pair.SendAsync(pair.Kvasir.ClientUrl, HttpMethod.Post, "/v3/maintenance/hashkv", """{"revision":"0"}""");
        Assert.Equal(404, e.Status);
        Assert.Equal(200, k.Status);
        Assert.Contains("\"hash\":", k.Body, StringComparison.Ordinal);
    }

    private static string PutOf(int valueBytes) => $$"""{"key":"Ymln","value":"{{Convert.ToBase64String(new byte[valueBytes])}}"}""";

    private static GatewayStep Step(string path, string? body, params string[] mask) => new(path, body, HttpMethod.Post, null, mask);

    private static GatewayStep Step(string path, string? body, HttpMethod method) => new(path, body, method, null, []);

    private static GatewayStep Step(string path, string? body, Dictionary<string, string> headers) => new(path, body, HttpMethod.Post, headers, []);

    private async Task CompareAsync(params GatewayStep[] steps)
    {
        var differences = new List<string>();
        foreach (var step in steps)
        {
            var e = await pair.SendAsync(pair.Etcd.ClientUrl, step.Method, step.Path, step.Body, step.Headers);
            var k = await pair.SendAsync(pair.Kvasir.ClientUrl, step.Method, step.Path, step.Body, step.Headers);
            var expected = $"{e.Status} {e.MediaType} {JsonMask.Normalize(e.Body, step.Mask)}";
            var actual = $"{k.Status} {k.MediaType} {JsonMask.Normalize(k.Body, step.Mask)}";
            if (expected != actual)
            {
                differences.Add($"{step.Method} {step.Path} {step.Body}\n  etcd:   {expected}\n  kvasir: {actual}");
            }
        }

        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }
}

using System.Security.Cryptography;
using System.Text.Json;
using Kvasir.Server.Tests.Gateway.Support;

namespace Kvasir.Server.Tests.Gateway;

/// <summary>
/// The gateway's streams on a real kvasir and a real etcd 3.4.23: /v3/watch (events arriving while the
/// test writes, a compacted start revision, the client going away), /v3/lease/keepalive and
/// /v3/maintenance/snapshot. Lines are compared with cluster-specific values masked. Every write goes
/// to both servers, so that revisions stay equal whatever order the tests run in.
/// </summary>
public sealed class GatewayStreamTests(GatewayPair pair) : IClassFixture<GatewayPair>
{
    private static readonly TimeSpan LineBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Watch_WritesWhileStreaming_SameLinesAsEtcd()
    {
        // Key "w/a" = "dy9h", prefix end "w0" = "dzA=".
        const string Create = """{"create_request":{"key":"dy9h","range_end":"dzA=","prev_kv":true}}""";
        await using var e = await GatewayLines.OpenAsync(pair.Http, pair.Etcd.ClientUrl + "/v3/watch", Create);
        await using var k = await GatewayLines.OpenAsync(pair.Http, pair.Kvasir.ClientUrl + "/v3/watch", Create);
        Assert.Equal(200, e.Status);
        Assert.Equal(200, k.Status);
        await AssertSameLineAsync(e, k, "created");

        string[] writes =
        [
            """{"key":"dy9h","value":"MQ=="}""",
            """{"key":"dy9h","value":"Mg=="}""",
            """{"key":"dy9iYg==","value":"Mw=="}""",
        ];
        foreach (var write in writes)
        {
            await PutBothAsync("/v3/kv/put", write);
            await AssertSameLineAsync(e, k, write);
        }

        await PutBothAsync("/v3/kv/deleterange", """{"key":"dy9h"}""");
        await AssertSameLineAsync(e, k, "delete");
    }

    [Fact]
    public async Task Watch_CompactedStartRevision_CreatedThenCanceled()
    {
        for (var i = 0; i < 3; i++)
        {
            await PutBothAsync("/v3/kv/put", """{"key":"Yy9r","value":"dg=="}""");
        }

        var status = await pair.SendAsync(pair.Etcd.ClientUrl, HttpMethod.Post, "/v3/kv/range", """{"key":"Yy9r"}""");
        var revision = JsonDocument.Parse(status.Body).RootElement.GetProperty("header").GetProperty("revision").GetString();
        await PutBothAsync("/v3/kv/compaction", $$"""{"revision":"{{revision}}"}""");

        const string Create = """{"create_request":{"key":"Yy9r","start_revision":"2"}}""";
        await using var e = await GatewayLines.OpenAsync(pair.Http, pair.Etcd.ClientUrl + "/v3/watch", Create);
        await using var k = await GatewayLines.OpenAsync(pair.Http, pair.Kvasir.ClientUrl + "/v3/watch", Create);
        await AssertSameLineAsync(e, k, "created");
        await AssertSameLineAsync(e, k, "canceled");
    }

    [Fact]
    public async Task Watch_SeveralRequestsInOneBody_SameLinesAsEtcd()
    {
        // Two creates (the second with a client-chosen id), a cancel of the first, a progress request.
        const string Body = """{"create_request":{"key":"bXVsdGk="}}{"create_request":{"key":"bXVsdGky","watch_id":"7"}}{"cancel_request":{"watch_id":"0"}}{"progress_request":{}}""";
        await using var e = await GatewayLines.OpenAsync(pair.Http, pair.Etcd.ClientUrl + "/v3/watch", Body);
        await using var k = await GatewayLines.OpenAsync(pair.Http, pair.Kvasir.ClientUrl + "/v3/watch", Body);
        foreach (var what in new[] { "first create", "second create", "cancel", "progress" })
        {
            await AssertSameLineAsync(e, k, what);
        }

        await PutBothAsync("/v3/kv/put", """{"key":"bXVsdGky","value":"dg=="}""");
        await AssertSameLineAsync(e, k, "put on the second watch's key");
    }

    [Fact]
    public async Task Watch_MalformedBody_SameErrorAsEtcd()
    {
        var e = await pair.SendAsync(pair.Etcd.ClientUrl, HttpMethod.Post, "/v3/watch", "{bad");
        var k = await pair.SendAsync(pair.Kvasir.ClientUrl, HttpMethod.Post, "/v3/watch", "{bad");
        Assert.Equal(e.ToString(), k.ToString());
    }

    [Fact]
    public async Task Watch_ClientGoesAway_MemberServesOn()
    {
        var k = await GatewayLines.OpenAsync(pair.Http, pair.Kvasir.ClientUrl + "/v3/watch", """{"create_request":{"key":"Z29uZQ=="}}""");
        Assert.Contains("\"created\":true", await k.NextAsync(LineBound), StringComparison.Ordinal);
        await k.DisposeAsync();

        // The member goes on serving writes and new watches after the stream's client left (written to
        // both servers, so that their revisions stay equal for the other tests of this class).
        await PutBothAsync("/v3/kv/put", """{"key":"Z29uZQ==","value":"eA=="}""");
        await using var again = await GatewayLines.OpenAsync(pair.Http, pair.Kvasir.ClientUrl + "/v3/watch", """{"create_request":{"key":"Z29uZQ=="}}""");
        Assert.Contains("\"created\":true", await again.NextAsync(LineBound), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeepAlive_TwoRequestsAndUnknownLease_SameLinesAsEtcd()
    {
        await PutBothAsync("/v3/lease/grant", """{"TTL":"600","ID":"80001"}""");
        const string Body = """{"ID":"80001"}{"ID":"80001"}{"ID":"424242"}""";
        await using var e = await GatewayLines.OpenAsync(pair.Http, pair.Etcd.ClientUrl + "/v3/lease/keepalive", Body);
        await using var k = await GatewayLines.OpenAsync(pair.Http, pair.Kvasir.ClientUrl + "/v3/lease/keepalive", Body);
        var etcdLines = await e.ReadToEndAsync(LineBound);
        var kvasirLines = await k.ReadToEndAsync(LineBound);
        Assert.Equal(3, etcdLines.Count);
        Assert.Equal(Masked(etcdLines), Masked(kvasirLines));
        Assert.Contains("\"TTL\":\"600\"", kvasirLines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("TTL", kvasirLines[2], StringComparison.Ordinal);
        await PutBothAsync("/v3/lease/revoke", """{"ID":"80001"}""");
    }

    [Fact]
    public async Task Snapshot_Stream_BlobsEndWithTheirSha256()
    {
        await PutBothAsync("/v3/kv/put", """{"key":"c25hcA==","value":"dg=="}""");
        foreach (var url in new[] { pair.Etcd.ClientUrl, pair.Kvasir.ClientUrl })
        {
            await using var lines = await GatewayLines.OpenAsync(pair.Http, url + "/v3/maintenance/snapshot", "{}");
            var all = await lines.ReadToEndAsync(LineBound);
            Assert.NotEmpty(all);
            using var image = new MemoryStream();
            foreach (var line in all)
            {
                var result = JsonDocument.Parse(line).RootElement.GetProperty("result");
                image.Write(result.GetProperty("blob").GetBytesFromBase64());
            }

            var bytes = image.ToArray();
            Assert.True(bytes.Length > 32, url);
            Assert.Equal(SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)), bytes[^32..]);
        }
    }

    private static List<string> Masked(List<string> lines) => lines.ConvertAll(l => JsonMask.Normalize(l, "TTL"));

    private async Task AssertSameLineAsync(GatewayLines e, GatewayLines k, string what)
    {
        var expected = await e.NextAsync(LineBound);
        var actual = await k.NextAsync(LineBound);
        Assert.NotNull(expected);
        Assert.True(
            JsonMask.Normalize(expected) == JsonMask.Normalize(actual ?? "<end>"),
            $"after {what}\n  etcd:   {expected}\n  kvasir: {actual}");
    }

    private async Task PutBothAsync(string path, string body)
    {
        var e = await pair.SendAsync(pair.Etcd.ClientUrl, HttpMethod.Post, path, body);
        var k = await pair.SendAsync(pair.Kvasir.ClientUrl, HttpMethod.Post, path, body);
        Assert.True(e.Status == 200 && k.Status == 200, $"{path} {body}: etcd {e}, kvasir {k}");
    }
}

using System.Buffers;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Client;
using Kvasir.Server.Tests.Watch.Support;
using Kvasir.Server.Watch;
using Kvasir.Testing;
using static Kvasir.Server.Tests.Watch.Support.TestStream;

namespace Kvasir.Server.Tests.Watch;

/// <summary>The Watch service over real gRPC on Kestrel: stream life, hasleader, bad input.</summary>
public sealed class WatchServiceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static CallOptions Options(bool hasLeader = false) => new()
    {
        Deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30),
        Headers = hasLeader ? new Metadata().Add("hasleader", "true") : null,
    };

    private static async Task<WatchResponse> NextAsync<TRequest>(DuplexStreamingCall<TRequest, WatchResponse> call)
    {
        using var bound = new CancellationTokenSource(Bound);
        Assert.True(await call.ResponseStream.MoveNextAsync(bound.Token), "the stream ended");
        return call.ResponseStream.Current;
    }

    [Fact]
    public async Task Watch_OneStreamManyWatchers_CreatedRepliesThenEventsInOrder()
    {
        await using var target = await KvasirTarget.StartAsync();
        using var call = target.Channel.DuplexStreaming(WatchService.WatchMethod, Options(hasLeader: true));
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = Key("a") });
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = Prefix("p/") });
        var first = await NextAsync(call);
        var second = await NextAsync(call);
        Assert.Equal((0L, true), (first.WatchId, first.Created));
        Assert.Equal((1L, true), (second.WatchId, second.Created));
        Assert.Equal(target.Harness.Member.ClusterId, first.Header.ClusterId);

        await target.PutAsync("p/1", "x");
        await target.PutAsync("a", "y");
        var e1 = await NextAsync(call);
        var e2 = await NextAsync(call);
        Assert.Equal((1L, 2L, "p/1"), (e1.WatchId, e1.Header.Revision, e1.Events[0].Kv.Key.ToStringUtf8()));
        Assert.Equal((0L, 3L, "a"), (e2.WatchId, e2.Header.Revision, e2.Events[0].Kv.Key.ToStringUtf8()));

        await call.RequestStream.WriteAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() });
        var progress = await NextAsync(call);
        Assert.Equal((-1L, 3L), (progress.WatchId, progress.Header.Revision));

        await call.RequestStream.WriteAsync(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = 0 } });
        var canceled = await NextAsync(call);
        Assert.Equal((0L, true), (canceled.WatchId, canceled.Canceled));
    }

    [Fact]
    public async Task Watch_ClientHalfCloses_StreamKeepsDelivering()
    {
        await using var target = await KvasirTarget.StartAsync();
        using var call = target.Channel.DuplexStreaming(WatchService.WatchMethod, Options());
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = Key("a") });
        Assert.True((await NextAsync(call)).Created);
        await call.RequestStream.CompleteAsync();

        // etcd keeps serving a half-closed watch stream until the client goes away.
        await target.PutAsync("a", "after");
        Assert.Equal("after", (await NextAsync(call)).Events[0].Kv.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Watch_EmptyRequest_IgnoredAndTheStreamGoesOn()
    {
        await using var target = await KvasirTarget.StartAsync();
        using var call = target.Channel.DuplexStreaming(WatchService.WatchMethod, Options());
        await call.RequestStream.WriteAsync(new WatchRequest());
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = Key("a") });
        Assert.True((await NextAsync(call)).Created);
    }

    [Fact]
    public async Task Watch_HasLeaderWithoutLeader_RefusedWithNoLeader()
    {
        await using var target = await KvasirTarget.StartAsync();
        target.Harness.Member.LeaderId = 0;
        using var call = target.Channel.DuplexStreaming(WatchService.WatchMethod, Options(hasLeader: true));

        // The server refuses the stream at once: the refusal may reach the client before its first
        // request is written (the write then fails with it) or after (the read does).
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = Key("a") });
            await NextAsync(call);
        });
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Equal("etcdserver: no leader", e.Status.Detail);
        Assert.Equal(0, target.Harness.Hub.StreamCount);

        // Without hasleader the stream is served.
        using var plain = target.Channel.DuplexStreaming(WatchService.WatchMethod, Options());
        await plain.RequestStream.WriteAsync(new WatchRequest { CreateRequest = Key("a") });
        Assert.True((await NextAsync(plain)).Created);
    }

    [Fact]
    public async Task Watch_LeaderLostForThreeElectionTimeouts_HasLeaderStreamEndsWithNoLeader()
    {
        using var harness = new HubHarness(new WatchHubOptions { ElectionTimeout = TimeSpan.FromSeconds(1), Random = new Random(1) });
        await using var server = await WatchServer.StartAsync(harness);
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        using var guarded = channel.DuplexStreaming(WatchService.WatchMethod, Options(hasLeader: true));
        using var plain = channel.DuplexStreaming(WatchService.WatchMethod, Options());
        await guarded.RequestStream.WriteAsync(new WatchRequest { CreateRequest = Key("a") });
        await plain.RequestStream.WriteAsync(new WatchRequest { CreateRequest = Key("a") });
        Assert.True((await NextAsync(guarded)).Created);
        Assert.True((await NextAsync(plain)).Created);

        harness.Member.LeaderId = 0;
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        harness.Put("a", "still here");
        Assert.Equal("still here", (await NextAsync(guarded)).Events[0].Kv.Value.ToStringUtf8());

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        var e = await Assert.ThrowsAsync<RpcException>(async () => await NextAsync(guarded));
        Assert.Equal((StatusCode.Unavailable, "etcdserver: no leader"), (e.StatusCode, e.Status.Detail));

        // A stream that did not ask for a leader goes on.
        harness.Put("a", "plain");
        Assert.Equal("still here", (await NextAsync(plain)).Events[0].Kv.Value.ToStringUtf8());
        Assert.Equal("plain", (await NextAsync(plain)).Events[0].Kv.Value.ToStringUtf8());
        await Poll.UntilAsync(() => harness.Hub.StreamCount == 1, Bound, "the ended stream's watchers to go");
    }

    [Fact]
    public async Task Watch_MalformedRequestBytes_EndsTheStreamWithInternalAndChangesNothing()
    {
        await using var target = await KvasirTarget.StartAsync();
        var raw = new Method<byte[], WatchResponse>(MethodType.DuplexStreaming, "etcdserverpb.Watch", "Watch", new RawBytes(), Marshallers.Protobuf(WatchResponse.Parser));
        using var call = target.Channel.DuplexStreaming(raw, Options());
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = Key("a") }.ToByteArray());
        Assert.True((await NextAsync(call)).Created);

        // Field 1 (create_request) declared 100 bytes long, with 2 present.
        await call.RequestStream.WriteAsync([0x0a, 100, 0x0a, 0x01]);
        var e = await Assert.ThrowsAsync<RpcException>(async () => await NextAsync(call));
        Assert.Equal(StatusCode.Internal, e.StatusCode);
        await Poll.UntilAsync(() => target.Harness.Hub.WatcherCount == 0 && target.Harness.Hub.StreamCount == 0, Bound, "the stream's watchers to go");
    }

    [Fact]
    public async Task Watch_ClientGoesAway_WatchersAreRemoved()
    {
        await using var target = await KvasirTarget.StartAsync();
        var call = target.Channel.DuplexStreaming(WatchService.WatchMethod, Options());
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = Key("a") });
        await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = Prefix("b", startRevision: 1) });
        Assert.True((await NextAsync(call)).Created);
        Assert.Equal(2, target.Harness.Hub.WatcherCount);
        call.Dispose();
        await Poll.UntilAsync(() => target.Harness.Hub.WatcherCount == 0 && target.Harness.Hub.StreamCount == 0, Bound, "the watchers of a reset stream to go");
    }

    [Fact]
    public async Task Watch_ClientStopsReading_ItsWatcherIsParkedWhileWritesAndOtherStreamsGoOn()
    {
        await using var target = await KvasirTarget.StartAsync(new WatchHubOptions { StreamCapacity = 64, Random = new Random(1) });
        using var slow = target.Channel.DuplexStreaming(WatchService.WatchMethod, Options());
        using var fast = target.Channel.DuplexStreaming(WatchService.WatchMethod, Options());
        await slow.RequestStream.WriteAsync(new WatchRequest { CreateRequest = Prefix("s/") });
        await fast.RequestStream.WriteAsync(new WatchRequest { CreateRequest = Prefix("s/") });
        Assert.True((await NextAsync(slow)).Created);
        Assert.True((await NextAsync(fast)).Created);

        // 600 puts of 4 KiB: far more than HTTP/2 flow control, the response queue and 64 events hold
        // for a client that does not read. The writes never wait, and the reading client gets each at once.
        var value = new string('v', 4096);
        var fastRevisions = new List<long>();
        for (var i = 0; i < 600; i++)
        {
            var revision = await target.PutAsync($"s/{i % 7}", value);
            var r = await NextAsync(fast);
            Assert.Equal(revision, r.Header.Revision);
            fastRevisions.Add(r.Events[0].Kv.ModRevision);
        }

        Assert.Equal(1, target.Harness.Hub.SlowWatcherCount);

        var slowRevisions = new List<long>();
        while (slowRevisions.Count < 600)
        {
            slowRevisions.AddRange((await NextAsync(slow)).Events.Select(e => e.Kv.ModRevision));
        }

        Assert.Equal(fastRevisions, slowRevisions);
        await Poll.UntilAsync(() => target.Harness.Hub.SlowWatcherCount == 0, Bound, "the slow watcher to be synced again");
    }

    private sealed class RawBytes : Marshaller<byte[]>
    {
        public override byte[] Deserialize(in ReadOnlySequence<byte> payload) => payload.ToArray();

        public override int CalculateSize(byte[] message) => message.Length;

        public override void Serialize(byte[] message, Span<byte> destination) => message.CopyTo(destination);
    }
}

using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Tests.Watch.Support;
using Kvasir.Server.Watch;
using static Kvasir.Server.Tests.Watch.Support.HubHarness;
using static Kvasir.Server.Tests.Watch.Support.TestStream;

namespace Kvasir.Server.Tests.Watch;

/// <summary>Frames written from shared bytes are byte for byte the protobuf encoding of the WatchResponse they stand for.</summary>
public sealed class WatchFrameTests
{
    [Theory]
    [InlineData(0L, false, false)]
    [InlineData(1L, true, false)]
    [InlineData(300L, false, true)]
    [InlineData(-7L, true, true)]
    public async Task Frame_EventsResponse_IsTheCanonicalEncoding(long watchId, bool prevKv, bool fragment)
    {
        using var h = new HubHarness(new WatchHubOptions { MaxRequestBytes = 1, Random = new Random(1) });
        h.Member.Term = 300;
        using var s = h.Open();
        var request = Prefix("f/");
        request.WatchId = watchId;
        request.PrevKv = prevKv;
        request.Fragment = fragment;
        await s.CreateAsync(request);
        h.Put("f/a", "1");
        h.Put("f/a", new string('x', 300 * 1024));
        h.Txn(new TxnRequest
        {
            Success =
            {
                new RequestOp { RequestPut = new PutRequest { Key = B("f/b"), Value = ByteString.CopyFrom(new byte[300 * 1024]) } },
                new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = B("f/a") } },
            },
        });

        var frames = new List<WatchFrame>();
        s.Stream.Read(frames);
        // Only with prev_kv does the txn's response (a 300 KiB put and the delete of a 300 KiB value) reach the limit.
        Assert.Equal(fragment && prevKv ? 4 : 3, frames.Count);
        foreach (var frame in frames)
        {
            var bytes = new byte[frame.Size];
            frame.WriteTo(bytes);
            var response = WatchResponse.Parser.ParseFrom(bytes);
            Assert.Equal(response.ToByteArray(), bytes);
            Assert.Equal(watchId, response.WatchId);
            Assert.Equal(frame.EventCount, response.Events.Count);

            var writer = new System.Buffers.ArrayBufferWriter<byte>();
            frame.WriteTo(writer);
            Assert.Equal(bytes, writer.WrittenSpan.ToArray());
        }
    }
}

using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Tests.Watch.Support;
using Kvasir.Server.Watch;
using static Kvasir.Server.Tests.Watch.Support.TestStream;

namespace Kvasir.Server.Tests.Watch;

/// <summary>
/// The sender's coalescing: a backlog of at least CoalesceBacklog items becomes one response per
/// watcher between replies, carrying exactly the events (and prev_kv) that one response per
/// revision would, in order; below the backlog, around replies and for fragment watchers, nothing changes.
/// The streams get a queue large enough to hold the backlog (the member's is small, so that a
/// lagging stream's watchers park and are caught up instead).
/// </summary>
public sealed class WatchStreamCoalesceTests
{
    [Fact]
    public async Task Read_BacklogOfManyRevisions_JoinsEachWatchersEventsUnchanged()
    {
        using var h = new HubHarness(new WatchHubOptions { Random = new Random(1), StreamCapacity = 8192 });
        using var joined = h.Open();
        using var single = h.Open();
        foreach (var s in new[] { joined, single })
        {
            await s.CreateAsync(Prefix("c/"));
            var withPrev = Prefix("c/");
            withPrev.PrevKv = true;
            await s.CreateAsync(withPrev);
        }

        for (var i = 0; i < 200; i++)
        {
            h.Put($"c/{i % 7}", $"v{i}");
        }

        var joinedFrames = new List<WatchFrame>();
        var singleFrames = new List<WatchFrame>();
        Assert.Equal(400, joined.Stream.Read(joinedFrames, coalesce: true));
        Assert.Equal(400, single.Stream.Read(singleFrames, coalesce: false));

        Assert.Equal(400, singleFrames.Count);
        Assert.Equal(2, joinedFrames.Count);
        Assert.Equal(Flatten(singleFrames), Flatten(joinedFrames));
        foreach (var frame in joinedFrames)
        {
            var bytes = new byte[frame.Size];
            frame.WriteTo(bytes);
            var response = WatchResponse.Parser.ParseFrom(bytes);
            Assert.Equal(response.ToByteArray(), bytes);
            Assert.Equal(frame.EventCount, response.Events.Count);
            Assert.Equal(response.Events[^1].Kv.ModRevision, response.Header.Revision);
            Assert.False(response.Fragment);

            var writer = new System.Buffers.ArrayBufferWriter<byte>();
            frame.WriteTo(writer);
            Assert.Equal(bytes, writer.WrittenSpan.ToArray());
        }
    }

    [Fact]
    public async Task Read_BacklogBelowThreshold_OneResponsePerRevision()
    {
        using var h = new HubHarness(new WatchHubOptions { Random = new Random(1), StreamCapacity = 8192 });
        using var s = h.Open();
        await s.CreateAsync(Prefix("c/"));
        for (var i = 0; i < WatchStream.CoalesceBacklog - 1; i++)
        {
            h.Put("c/a", $"v{i}");
        }

        var frames = new List<WatchFrame>();
        s.Stream.Read(frames, coalesce: true);

        Assert.Equal(WatchStream.CoalesceBacklog - 1, frames.Count);
        Assert.All(frames, f => Assert.Equal(1, f.EventCount));
    }

    [Fact]
    public async Task Read_ProgressReplyInBacklog_NothingJoinedAcrossIt()
    {
        using var h = new HubHarness(new WatchHubOptions { Random = new Random(1), StreamCapacity = 8192 });
        using var s = h.Open();
        await s.CreateAsync(Prefix("c/"));
        for (var i = 0; i < 150; i++)
        {
            h.Put("c/a", $"v{i}");
        }

        s.Stream.RequestProgress();
        for (var i = 0; i < 150; i++)
        {
            h.Put("c/a", $"w{i}");
        }

        var frames = new List<WatchFrame>();
        s.Stream.Read(frames, coalesce: true);
        var responses = frames.ConvertAll(f => f.ToResponse());

        Assert.Equal(3, responses.Count);
        Assert.Equal(-1, responses[1].WatchId);
        var progress = responses[1].Header.Revision;
        Assert.All(responses[0].Events, e => Assert.True(e.Kv.ModRevision <= progress));
        Assert.All(responses[2].Events, e => Assert.True(e.Kv.ModRevision > progress));
        Assert.Equal(300, responses[0].Events.Count + responses[2].Events.Count);
    }

    [Fact]
    public async Task Read_FragmentWatcherInBacklog_KeepsOneResponsePerRevision()
    {
        using var h = new HubHarness(new WatchHubOptions { Random = new Random(1), StreamCapacity = 8192 });
        using var s = h.Open();
        var fragment = Prefix("c/");
        fragment.Fragment = true;
        await s.CreateAsync(fragment);
        await s.CreateAsync(Prefix("c/"));
        for (var i = 0; i < 100; i++)
        {
            h.Put("c/a", $"v{i}");
        }

        var frames = new List<WatchFrame>();
        s.Stream.Read(frames, coalesce: true);

        // The fragment watcher (id 0): one response per revision; the other (id 1): one response.
        Assert.Equal(100, frames.FindAll(f => f.WatchId == 0).Count);
        Assert.Single(frames.FindAll(f => f.WatchId == 1));
        Assert.Equal(100, frames.Find(f => f.WatchId == 1)!.EventCount);
    }

    [Fact]
    public async Task Read_LongBacklog_ResponsesStayWithinTheJoinLimit()
    {
        using var h = new HubHarness(new WatchHubOptions { Random = new Random(1), StreamCapacity = 8192 });
        using var s = h.Open();
        await s.CreateAsync(Prefix("c/"));
        var value = new string('x', 1000);
        for (var i = 0; i < 200; i++)
        {
            h.Put("c/a", value);
        }

        var frames = new List<WatchFrame>();
        s.Stream.Read(frames, coalesce: true);

        Assert.True(frames.Count > 1, "200 KiB of events go out in more than one response");
        Assert.All(frames, f => Assert.True(f.Size < WatchStream.CoalesceMaxBytes + 1024, $"a response of {f.Size} bytes"));
        Assert.Equal(200, frames.Sum(f => f.EventCount));
        var revisions = frames.SelectMany(f => f.ToResponse().Events).Select(e => e.Kv.ModRevision).ToList();
        Assert.Equal(revisions.Order().ToList(), revisions);
    }

    /// <summary>Every watcher's events (with prev_kv) in the order received, keyed by watch id.</summary>
    private static List<string> Flatten(List<WatchFrame> frames)
    {
        var byWatcher = new SortedDictionary<long, List<string>>();
        foreach (var frame in frames)
        {
            var response = frame.ToResponse();
            if (!byWatcher.TryGetValue(response.WatchId, out var list))
            {
                byWatcher[response.WatchId] = list = [];
            }

            foreach (var e in response.Events)
            {
                list.Add(e.ToString());
            }
        }

        return byWatcher.SelectMany(p => p.Value.Select(e => $"{p.Key}:{e}")).ToList();
    }
}

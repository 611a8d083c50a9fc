using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Server.Tests.Watch.Support;
using Kvasir.Server.Watch;
using static Kvasir.Server.Tests.Watch.Support.TestStream;
using static Kvasir.Server.Tests.Watch.WatchHubMatchingTests;

namespace Kvasir.Server.Tests.Watch;

/// <summary>
/// Watchers behind the head: past start revisions, compaction, slow consumers parked and caught up.
/// Each runs with the in-memory recent history on (most catch-ups served from memory) and off
/// (every catch-up reads the backend).
/// </summary>
public sealed class WatchHubHistoryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static WatchHubOptions Options(int recent, int capacity = 8192) =>
        new() { RecentRevisions = recent, StreamCapacity = capacity, Random = new Random(3) };

    [Theory]
    [InlineData(0)]
    [InlineData(1024)]
    public async Task Create_PastRevision_ReplaysHistoryInOneResponseThenLive(int recent)
    {
        using var h = new HubHarness(Options(recent));
        h.Put("a", "1");
        h.Put("b", "1");
        h.Put("a", "2");
        h.Delete("a");
        using var s = h.Open();
        var created = await s.CreateAsync(Key("a", startRevision: 3));
        Assert.Equal(5, created.Header.Revision);

        var history = await s.NextAsync();
        Assert.Equal(5, history.Header.Revision);
        Assert.Equal(["PUT:a@4", "DELETE:a@5"], Keys([history]));
        await h.UntilAsync(() => h.Hub.SlowWatcherCount == 0, Bound, "the watcher to be synced");

        h.Put("a", "3");
        Assert.Equal(["PUT:a@6"], Keys([await s.NextAsync()]));
        Assert.Empty(s.Drain());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1024)]
    public async Task Create_PastRevisionWithPrevKv_CarriesPrevKvFromHistory(int recent)
    {
        using var h = new HubHarness(Options(recent));
        h.Put("a", "1");
        h.Put("a", "2");
        using var s = h.Open();
        var request = Key("a", startRevision: 2);
        request.PrevKv = true;
        await s.CreateAsync(request);
        var events = (await s.EventsAsync(2)).SelectMany(r => r.Events).ToList();
        Assert.Null(events[0].PrevKv);
        Assert.Equal("1", events[1].PrevKv.Value.ToStringUtf8());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1024)]
    public async Task Create_StartRevisionCompacted_CanceledWithCompactRevision(int recent)
    {
        using var h = new HubHarness(Options(recent));
        for (var i = 0; i < 5; i++)
        {
            h.Put("a", "v" + i);
        }

        h.Compact(5);
        using var s = h.Open();
        var created = await s.CreateAsync(Key("a", startRevision: 3));
        Assert.Equal(0, created.WatchId);
        var compacted = await s.NextAsync();
        Assert.Equal(0, compacted.WatchId);
        Assert.True(compacted.Canceled);
        Assert.Equal(5, compacted.CompactRevision);
        Assert.Equal(0, compacted.Header.Revision);
        Assert.Equal(h.Member.MemberId, compacted.Header.MemberId);
        Assert.Empty(compacted.Events);
        Assert.Equal("", compacted.CancelReason);
        Assert.Equal(0, h.Hub.SlowWatcherCount);

        // At the compacted revision itself the history is still there.
        using var t = h.Open();
        await t.CreateAsync(Key("a", startRevision: 5));
        Assert.Equal(["PUT:a@5", "PUT:a@6"], Keys(await t.EventsAsync(2)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1024)]
    public async Task SlowConsumer_Parked_CaughtUpWithEveryEventOnceInOrder(int recent)
    {
        using var h = new HubHarness(Options(recent, capacity: 4));
        using var slow = h.Open();
        using var fast = h.Open();
        await slow.CreateAsync(Key("k"));
        await fast.CreateAsync(Prefix("k"));

        var fastSeen = new List<string>();
        for (var i = 0; i < 60; i++)
        {
            h.Put("k", "v" + i);
            fastSeen.AddRange(Keys(fast.Drain()));
        }

        // The fast stream was never held back; the slow one holds at most its capacity and is parked.
        Assert.Equal(Enumerable.Range(2, 60).Select(r => $"PUT:k@{r}"), fastSeen);
        Assert.True(slow.Stream.PendingEvents <= 4);
        Assert.Equal(1, h.Hub.SlowWatcherCount);

        var slowSeen = new List<string>();
        await h.UntilAsync(
            () =>
            {
                slowSeen.AddRange(Keys(slow.Drain()));
                return slowSeen.Count >= 60 && h.Hub.SlowWatcherCount == 0;
            },
            Bound,
            "the slow watcher to catch up");
        Assert.Equal(Enumerable.Range(2, 60).Select(r => $"PUT:k@{r}"), slowSeen);

        h.Put("k", "after");
        Assert.Equal(["PUT:k@62"], Keys(slow.Drain()));
    }

    [Fact]
    public async Task SlowConsumer_CompactedWhileParked_CanceledWithCompactRevision()
    {
        using var h = new HubHarness(Options(recent: 0, capacity: 4));
        using var s = await OpenParkedAsync(h);
        h.Compact(9);
        var seen = new List<WatchResponse>();
        await h.UntilAsync(
            () =>
            {
                seen.AddRange(s.Drain());
                return seen.Count > 0 && seen[^1].Canceled;
            },
            Bound,
            "the compacted reply");

        // Revisions 2..5 were queued before the stream filled; the watcher was parked at 6 < 9.
        Assert.Equal(["PUT:a@2", "PUT:a@3", "PUT:a@4", "PUT:a@5"], Keys(seen));
        Assert.Equal(9, seen[^1].CompactRevision);
        Assert.Equal(0, h.Hub.SlowWatcherCount);
    }

    [Fact]
    public async Task RequestProgress_WaitingForAParkedWatcherThatIsCompacted_AnsweredAfterTheCompactedReply()
    {
        using var h = new HubHarness(Options(recent: 0, capacity: 4));
        using var s = await OpenParkedAsync(h);
        s.Stream.RequestProgress();
        h.Compact(9);
        var seen = new List<WatchResponse>();
        await h.UntilAsync(
            () =>
            {
                seen.AddRange(s.Drain());
                return seen.Count > 0 && seen[^1].WatchId == -1;
            },
            Bound,
            "the progress reply");

        // The compacted watcher owes nothing more: the waiting request is answered right after its reply.
        Assert.Equal(["0:PUT@2", "0:PUT@3", "0:PUT@4", "0:PUT@5", "0:canceled", "-1:progress@11"], seen.Select(WatchHubRequestTests.Describe));
    }

    [Fact]
    public async Task Compacted_Watcher_StaysOnTheStreamUntilTheClientCancelsIt()
    {
        using var h = new HubHarness(Options(recent: 1024));
        h.Put("a", "1");
        h.Put("a", "2");
        h.Compact(3);
        using var s = h.Open();
        var request = Key("a", startRevision: 2);
        request.WatchId = 4;
        await s.CreateAsync(request);
        Assert.Equal(3, (await s.NextAsync()).CompactRevision);

        // As in etcd: its id is still in use and it still counts. It owes nothing more, so a
        // RequestProgress is answered at once, as etcd 3.4 answers.
        var again = Key("a");
        again.WatchId = 4;
        Assert.Equal("mvcc: duplicate watch ID provided on the WatchStream", (await s.CreateAsync(again)).CancelReason);
        Assert.Equal(1, h.Hub.WatcherCount);
        s.Stream.RequestProgress();
        Assert.Equal(["-1:progress@3"], s.Drain().Select(WatchHubRequestTests.Describe));

        // The client cancels it (etcd's client does, on the compacted reply).
        s.Stream.Cancel(4);
        Assert.Equal(["4:canceled"], s.Drain().Select(WatchHubRequestTests.Describe));
        Assert.Equal(0, h.Hub.WatcherCount);
        Assert.Equal(0, (await s.CreateAsync(Key("a"))).WatchId);
    }

    [Fact]
    public async Task Notify_Gap_WatchersReadTheMissedRevisionsFromHistory()
    {
        using var h = new HubHarness(Options(recent: 1024));
        using var s = h.Open();
        await s.CreateAsync(Prefix(""));
        h.Put("a", "1");
        h.NotifyHub = false;
        h.Put("b", "1");
        h.Put("c", "1");
        h.NotifyHub = true;
        h.Put("d", "1");

        var seen = new List<string>();
        await h.UntilAsync(
            () =>
            {
                seen.AddRange(Keys(s.Drain()));
                return seen.Count >= 4 && h.Hub.SlowWatcherCount == 0;
            },
            Bound,
            "the gap to be read");
        Assert.Equal(["PUT:a@2", "PUT:b@3", "PUT:c@4", "PUT:d@5"], seen);
    }

    [Fact]
    public async Task CatchUp_LongHistory_ComesInBatchesWithoutLossOrRepeat()
    {
        using var h = new HubHarness(new WatchHubOptions { RecentRevisions = 16, SyncBatchEvents = 7, Random = new Random(5) });
        for (var i = 0; i < 100; i++)
        {
            h.Put("k" + (i % 3), "v" + i);
        }

        using var s = h.Open();
        await s.CreateAsync(Key("k1", startRevision: 2));
        var responses = await s.EventsAsync(33);
        Assert.True(responses.Count > 1);
        Assert.All(responses, r => Assert.True(r.Events.Count <= 7));
        Assert.Equal(Enumerable.Range(0, 100).Where(i => i % 3 == 1).Select(i => $"PUT:k1@{i + 2}"), Keys(responses));
        Assert.All(responses, r => Assert.True(r.Header.Revision >= r.Events[^1].Kv.ModRevision));
        Assert.Equal(Event.Types.EventType.Put, responses[0].Events[0].Type);
    }

    // A watcher on "a" whose stream (4 events) fills with revisions 2..5 while 10 puts go by: it is parked at 6.
    private static async Task<TestStream> OpenParkedAsync(HubHarness h)
    {
        var s = h.Open();
        await s.CreateAsync(Key("a"));
        for (var i = 0; i < 10; i++)
        {
            h.Put("a", "v" + i);
        }

        Assert.Equal(1, h.Hub.SlowWatcherCount);
        return s;
    }
}

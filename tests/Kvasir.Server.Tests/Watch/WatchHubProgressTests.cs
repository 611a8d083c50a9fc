using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Tests.Watch.Support;
using Kvasir.Server.Watch;
using static Kvasir.Server.Tests.Watch.Support.TestStream;
using static Kvasir.Server.Tests.Watch.WatchHubRequestTests;

namespace Kvasir.Server.Tests.Watch;

/// <summary>Progress: the periodic notifications of progress_notify watchers, and RequestProgress answered only when every watcher of the stream is synced.</summary>
public sealed class WatchHubProgressTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    // The period is the interval plus up to a tenth of it: each step of 1.1 intervals fires exactly one
    // tick for the first nine (tick k comes due in [k, 1.1k) intervals).
    private static readonly TimeSpan Step = Interval * 1.1;

    private static WatchHubOptions Options(int capacity = 8192) =>
        new() { ProgressNotifyInterval = Interval, StreamCapacity = capacity, Random = new Random(11) };

    private static WatchCreateRequest WithProgress(WatchCreateRequest request)
    {
        request.ProgressNotify = true;
        return request;
    }

    [Fact]
    public async Task ProgressNotify_IdleWatcher_HearsTheRevisionEachInterval()
    {
        using var h = new HubHarness(Options());
        using var s = h.Open();
        await s.CreateAsync(WithProgress(Key("a")));
        await s.CreateAsync(Key("a"));
        h.Put("b", "1");

        h.Time.Advance(Step);
        var progress = Assert.Single(s.Drain());
        Assert.Equal("0:progress@2", Describe(progress));
        Assert.False(progress.Created || progress.Canceled);
        Assert.Equal(0, progress.CompactRevision);

        h.Time.Advance(Step);
        Assert.Equal(["0:progress@2"], s.Drain().Select(Describe));
    }

    [Fact]
    public async Task ProgressNotify_AfterEvents_NextTickIsSkipped()
    {
        using var h = new HubHarness(Options());
        using var s = h.Open();
        await s.CreateAsync(WithProgress(Key("a")));
        h.Time.Advance(Step);
        Assert.Equal(["0:progress@1"], s.Drain().Select(Describe));

        h.Put("a", "1");
        Assert.Equal(["0:PUT@2"], s.Drain().Select(Describe));
        h.Time.Advance(Step);
        Assert.Empty(s.Drain());
        h.Time.Advance(Step);
        Assert.Equal(["0:progress@2"], s.Drain().Select(Describe));
    }

    [Fact]
    public async Task ProgressNotify_FutureStart_SilentUntilTheStoreReachesIt()
    {
        using var h = new HubHarness(Options());
        using var s = h.Open();
        await s.CreateAsync(WithProgress(Key("a", startRevision: 3)));
        h.Time.Advance(Step);
        Assert.Empty(s.Drain());
        h.Put("b", "1");
        h.Put("b", "2");
        h.Time.Advance(Step);
        Assert.Equal(["0:progress@3"], s.Drain().Select(Describe));
    }

    [Fact]
    public async Task ProgressNotify_ParkedWatcher_GetsNone()
    {
        using var h = new HubHarness(Options(capacity: 2));
        using var s = h.Open();
        await s.CreateAsync(WithProgress(Key("a")));
        for (var i = 0; i < 5; i++)
        {
            h.Put("a", "v" + i);
        }

        Assert.Equal(1, h.Hub.SlowWatcherCount);
        h.Time.Advance(Step);
        h.Time.Advance(Step);
        var seen = s.Drain();
        Assert.DoesNotContain(seen, r => r.Events.Count == 0);
    }

    [Fact]
    public async Task RequestProgress_AllSynced_AnsweredWithMinusOneAndTheRevision()
    {
        using var h = new HubHarness(Options());
        using var s = h.Open();
        await s.CreateAsync(Key("a"));
        await s.CreateAsync(Prefix("b"));
        h.Put("a", "1");
        h.Put("c", "1");
        s.Stream.RequestProgress();
        Assert.Equal(["0:PUT@2", "-1:progress@3"], s.Drain().Select(Describe));
    }

    [Fact]
    public async Task RequestProgress_NoWatchers_AnsweredAtOnceWithTheRevision()
    {
        // As etcd 3.4: a stream without watchers owes nothing, so the reply vouches for the revision at once.
        using var h = new HubHarness(Options());
        using var s = h.Open();
        h.Put("a", "1");
        s.Stream.RequestProgress();
        Assert.Equal(["-1:progress@2"], s.Drain().Select(Describe));
        await s.CreateAsync(Key("a"));
        Assert.Empty(s.Drain());
    }

    [Fact]
    public async Task RequestProgress_WatcherBehind_AnsweredAfterItCatchesUp()
    {
        using var h = new HubHarness(Options(capacity: 4));
        using var s = h.Open();
        await s.CreateAsync(Key("a"));
        for (var i = 0; i < 12; i++)
        {
            h.Put("a", "v" + i);
        }

        Assert.Equal(1, h.Hub.SlowWatcherCount);
        s.Stream.RequestProgress();
        s.Stream.RequestProgress();

        var seen = new List<WatchResponse>();
        await h.UntilAsync(
            () =>
            {
                seen.AddRange(s.Drain());
                return seen.Any(r => r.WatchId == -1);
            },
            Bound,
            "the deferred progress reply");

        // Every event through the progress revision came before it, and the reply came once.
        var progress = seen.Single(r => r.WatchId == -1);
        Assert.Equal(13, progress.Header.Revision);
        Assert.Same(progress, seen[^1]);
        Assert.Equal(Enumerable.Range(2, 12).Select(r => $"0:PUT@{r}"), seen.SkipLast(1).SelectMany(r => r.Events.Select(e => $"0:PUT@{e.Kv.ModRevision}")));
        h.Put("b", "x");
        Assert.Empty(s.Drain());
    }

    [Fact]
    public async Task RequestProgress_FutureStart_AnsweredOnceTheStoreReachesIt()
    {
        using var h = new HubHarness(Options());
        using var s = h.Open();
        await s.CreateAsync(Key("a", startRevision: 3));
        s.Stream.RequestProgress();
        Assert.Empty(s.Drain());
        h.Put("b", "1");
        Assert.Empty(s.Drain());
        h.Put("b", "2");
        Assert.Equal(["-1:progress@3"], s.Drain().Select(Describe));
    }

    [Fact]
    public async Task RequestProgress_DeferredThenLaggardCanceled_AnsweredForTheRest()
    {
        using var h = new HubHarness(Options());
        using var s = h.Open();
        await s.CreateAsync(Key("a"));
        await s.CreateAsync(Key("a", startRevision: 10));
        s.Stream.RequestProgress();
        Assert.Empty(s.Drain());
        s.Stream.Cancel(1);
        Assert.Equal(["1:canceled", "-1:progress@1"], s.Drain().Select(Describe));
    }
}

using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Tests.Watch.Support;
using Kvasir.Server.Watch;
using static Kvasir.Server.Tests.Watch.Support.HubHarness;
using static Kvasir.Server.Tests.Watch.Support.TestStream;

namespace Kvasir.Server.Tests.Watch;

/// <summary>Create, cancel and their refusals: ids, replies and cancel reasons as etcd sends them. A refused request changes nothing.</summary>
public sealed class WatchHubRequestTests
{
    [Fact]
    public async Task Create_AutomaticIds_CountFromZeroSteppingOverChosenOnes()
    {
        using var h = new HubHarness();
        using var s = h.Open();
        Assert.Equal(0, (await s.CreateAsync(Key("a"))).WatchId);
        var chosen = Key("a");
        chosen.WatchId = 1;
        Assert.Equal(1, (await s.CreateAsync(chosen)).WatchId);
        Assert.Equal(2, (await s.CreateAsync(Key("a"))).WatchId);
        var far = Key("a");
        far.WatchId = 100;
        Assert.Equal(100, (await s.CreateAsync(far)).WatchId);
        Assert.Equal(3, (await s.CreateAsync(Key("a"))).WatchId);

        // Another stream counts on its own.
        using var other = h.Open();
        Assert.Equal(0, (await other.CreateAsync(Key("a"))).WatchId);
        Assert.Equal(6, h.Hub.WatcherCount);
    }

    [Fact]
    public async Task Create_DuplicateWatchId_RefusedAndTheFirstKeepsWatching()
    {
        using var h = new HubHarness();
        using var s = h.Open();
        var first = Key("a");
        first.WatchId = 7;
        await s.CreateAsync(first);
        var second = Key("b");
        second.WatchId = 7;
        var refused = await s.CreateAsync(second);
        Assert.Equal(-1, refused.WatchId);
        Assert.True(refused.Canceled);
        Assert.Equal("mvcc: duplicate watch ID provided on the WatchStream", refused.CancelReason);
        Assert.Equal(1, refused.Header.Revision);
        Assert.Equal(1, h.Hub.WatcherCount);

        h.Put("b", "1");
        h.Put("a", "1");
        var r = await s.NextAsync();
        Assert.Equal(7, r.WatchId);
        Assert.Equal("a", Assert.Single(r.Events).Kv.Key.ToStringUtf8());
        Assert.Empty(s.Drain());
    }

    [Theory]
    [InlineData("b", "a")]
    [InlineData("b", "b")]
    public async Task Create_EmptyRange_RefusedWithEtcdsReason(string key, string rangeEnd)
    {
        using var h = new HubHarness();
        using var s = h.Open();
        var refused = await s.CreateAsync(new WatchCreateRequest { Key = B(key), RangeEnd = B(rangeEnd) });
        Assert.Equal(-1, refused.WatchId);
        Assert.True(refused.Canceled);
        Assert.Equal("mvcc: watcher range is empty", refused.CancelReason);
        Assert.Equal(0, h.Hub.WatcherCount);

        // The next automatic id is still 0: a refusal takes none.
        Assert.Equal(0, (await s.CreateAsync(Key("a"))).WatchId);
    }

    [Fact]
    public async Task Create_NegativeStartRevision_RefusedAsCompacted()
    {
        using var h = new HubHarness();
        using var s = h.Open();
        var refused = await s.CreateAsync(Key("a", startRevision: -3));
        Assert.Equal(-1, refused.WatchId);
        Assert.True(refused.Canceled);
        Assert.Equal("etcdserver: mvcc: required revision has been compacted", refused.CancelReason);
        Assert.Equal(0, h.Hub.WatcherCount);
    }

    [Fact]
    public async Task Cancel_Watcher_RepliesCanceledAfterWhatItWasGivenAndNothingMore()
    {
        using var h = new HubHarness();
        using var s = h.Open();
        await s.CreateAsync(Key("a"));
        await s.CreateAsync(Key("a"));
        h.Put("a", "1");
        s.Stream.Cancel(0);
        h.Put("a", "2");

        var seen = s.Drain();
        Assert.Equal(["0:PUT@2", "1:PUT@2", "0:canceled", "1:PUT@3"], seen.Select(Describe));
        var canceled = seen[2];
        Assert.Equal(2, canceled.Header.Revision);
        Assert.Equal(1, h.Hub.WatcherCount);
    }

    [Fact]
    public async Task Cancel_UnknownId_SendsNothing()
    {
        using var h = new HubHarness();
        using var s = h.Open();
        await s.CreateAsync(Key("a"));
        s.Stream.Cancel(5);
        s.Stream.Cancel(-1);
        Assert.Empty(s.Drain());
        Assert.Equal(1, h.Hub.WatcherCount);
    }

    [Fact]
    public async Task Cancel_ThenCreate_ReusesNoId()
    {
        using var h = new HubHarness();
        using var s = h.Open();
        await s.CreateAsync(Key("a"));
        s.Stream.Cancel(0);
        Assert.True((await s.NextAsync()).Canceled);
        Assert.Equal(1, (await s.CreateAsync(Key("a"))).WatchId);
    }

    [Fact]
    public async Task ControlRoom_RepliesUnsent_RequestLoopWaitsUntilTheSenderTakesThem()
    {
        using var h = new HubHarness(new WatchHubOptions { ControlBacklog = 2, Random = new Random(1) });
        using var s = h.Open();
        s.Stream.Create(Key("a"));
        Assert.True(s.Stream.WaitForControlRoomAsync(CancellationToken.None).IsCompleted);
        s.Stream.Create(Key("b"));
        var waiting = s.Stream.WaitForControlRoomAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        Assert.Equal(2, s.Drain().Count);
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Dispose_Stream_RemovesItsWatchers()
    {
        using var h = new HubHarness();
        var s = h.Open();
        await s.CreateAsync(Key("a"));
        await s.CreateAsync(Prefix("p", startRevision: 1));
        Assert.Equal(2, h.Hub.WatcherCount);
        Assert.Equal(1, h.Hub.StreamCount);
        s.Dispose();
        Assert.Equal(0, h.Hub.WatcherCount);
        Assert.Equal(0, h.Hub.StreamCount);
        Assert.Equal(0, h.Hub.SlowWatcherCount);
        h.Put("a", "1");
        Assert.Equal(0, h.Hub.PendingEventCount);
        Assert.False(await s.Stream.WaitToReadAsync(CancellationToken.None));
    }

    [Fact]
    public void Options_Invalid_RefusedWithTheirName()
    {
        using var dir = new Kvasir.Testing.TempDir();
        using var store = Storage.Mvcc.MvccStore.Open(new Storage.Mvcc.MvccOptions { Path = dir.Sub("db") });
        var bad = new[]
        {
            (new WatchHubOptions { StreamCapacity = 0 }, "StreamCapacity"),
            (new WatchHubOptions { ProgressNotifyInterval = TimeSpan.Zero }, "ProgressNotifyInterval"),
            (new WatchHubOptions { MaxRequestBytes = -1 }, "MaxRequestBytes"),
            (new WatchHubOptions { RecentRevisions = -1 }, "RecentRevisions"),
            (new WatchHubOptions { SyncBatchEvents = 0 }, "SyncBatchEvents"),
        };
        foreach (var (options, name) in bad)
        {
            var e = Assert.ThrowsAny<ArgumentException>(() => new WatchHub(store, new FakeMember(), options, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance));
            Assert.Equal(name, e.ParamName);
        }
    }

    internal static string Describe(WatchResponse r) =>
        r.Canceled ? $"{r.WatchId}:canceled"
        : r.Created ? $"{r.WatchId}:created"
        : r.Events.Count == 0 ? $"{r.WatchId}:progress@{r.Header.Revision}"
        : $"{r.WatchId}:" + string.Join(",", r.Events.Select(e => $"{WatchHubMatchingTests.TypeName(e)}@{e.Kv.ModRevision}"));
}

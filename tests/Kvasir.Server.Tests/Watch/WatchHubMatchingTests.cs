using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Server.Tests.Watch.Support;
using static Kvasir.Server.Tests.Watch.Support.HubHarness;
using static Kvasir.Server.Tests.Watch.Support.TestStream;

namespace Kvasir.Server.Tests.Watch;

/// <summary>Which events a synced watcher is given: its key or range, its filters, its revision, in the shape etcd sends.</summary>
public sealed class WatchHubMatchingTests
{
    internal static void AssertEvent(Event e, Event.Types.EventType type, string key, long modRevision, string? value = null)
    {
        Assert.Equal(type, e.Type);
        Assert.Equal(key, e.Kv.Key.ToStringUtf8());
        Assert.Equal(modRevision, e.Kv.ModRevision);
        if (value is not null)
        {
            Assert.Equal(value, e.Kv.Value.ToStringUtf8());
        }
    }

    internal static List<string> Keys(IEnumerable<WatchResponse> responses) =>
        [.. responses.SelectMany(r => r.Events).Select(e => $"{TypeName(e)}:{e.Kv.Key.ToStringUtf8()}@{e.Kv.ModRevision}")];

    internal static string TypeName(Event e) => e.Type == Event.Types.EventType.Put ? "PUT" : "DELETE";

    [Fact]
    public async Task Create_SingleKey_ReceivesOnlyItsKeyOneResponsePerRevision()
    {
        using var h = new HubHarness();
        using var s = h.Open();
        var created = await s.CreateAsync(Key("a"));
        Assert.Equal(0, created.WatchId);
        Assert.Equal(1, created.Header.Revision);
        Assert.Equal(h.Member.ClusterId, created.Header.ClusterId);

        h.Put("a", "1");
        h.Put("b", "1");
        h.Put("a", "2");
        h.Delete("a");

        var responses = await s.EventsAsync(3);
        Assert.Equal([2L, 4L, 5L], responses.Select(r => r.Header.Revision));
        AssertEvent(responses[0].Events[0], Event.Types.EventType.Put, "a", 2, "1");
        Assert.Equal(2, responses[0].Events[0].Kv.CreateRevision);
        Assert.Equal(1, responses[0].Events[0].Kv.Version);
        AssertEvent(responses[1].Events[0], Event.Types.EventType.Put, "a", 4, "2");
        Assert.Equal(2, responses[1].Events[0].Kv.Version);
        AssertEvent(responses[2].Events[0], Event.Types.EventType.Delete, "a", 5);
        Assert.True(responses[2].Events[0].Kv.Value.IsEmpty);
        Assert.All(responses, r => Assert.Equal(0, r.WatchId));
        Assert.Empty(s.Drain());
    }

    [Theory]
    [InlineData("range", "b", "d", "PUT:b@3,PUT:c@4,PUT:bz@7")]
    [InlineData("prefix", "p/", null, "PUT:p/1@8,PUT:p/2@9")]
    [InlineData("from-key", "c", "\0", "PUT:c@4,PUT:d@5,PUT:z@6,PUT:p/1@8,PUT:p/2@9,PUT:q@10")]
    [InlineData("all", "\0", "\0", "PUT:a@2,PUT:b@3,PUT:c@4,PUT:d@5,PUT:z@6,PUT:bz@7,PUT:p/1@8,PUT:p/2@9,PUT:q@10")]
    [InlineData("all, empty key", "", "\0", "PUT:a@2,PUT:b@3,PUT:c@4,PUT:d@5,PUT:z@6,PUT:bz@7,PUT:p/1@8,PUT:p/2@9,PUT:q@10")]
    public async Task Create_Range_ReceivesEveryKeyInItAndNoOther(string what, string key, string? rangeEnd, string expected)
    {
        using var h = new HubHarness();
        using var s = h.Open();
        var request = rangeEnd is null ? Prefix(key) : new WatchCreateRequest { Key = B(key), RangeEnd = B(rangeEnd) };
        await s.CreateAsync(request);
        foreach (var k in new[] { "a", "b", "c", "d", "z", "bz", "p/1", "p/2", "q" })
        {
            h.Put(k, "v");
        }

        var want = expected.Split(',');
        var responses = await s.EventsAsync(want.Length);
        Assert.True(want.SequenceEqual(Keys(responses)), what);
        Assert.Empty(s.Drain());
    }

    [Fact]
    public async Task Create_EmptyKeyNoRangeEnd_WatchesTheKeyZero()
    {
        using var h = new HubHarness();
        using var s = h.Open();
        await s.CreateAsync(new WatchCreateRequest());
        h.Put("a", "v");
        h.Put("\0", "v");
        var r = await s.NextAsync();
        AssertEvent(Assert.Single(r.Events), Event.Types.EventType.Put, "\0", 3);
    }

    [Fact]
    public async Task Create_FutureRevision_ReceivesNothingBeforeIt()
    {
        using var h = new HubHarness();
        using var s = h.Open();
        var created = await s.CreateAsync(Key("a", startRevision: 4));
        Assert.Equal(1, created.Header.Revision);
        h.Put("a", "1");
        h.Put("a", "2");
        Assert.Empty(s.Drain());
        h.Put("a", "3");
        h.Put("a", "4");
        Assert.Equal(["PUT:a@4", "PUT:a@5"], Keys(await s.EventsAsync(2)));
    }

    [Fact]
    public async Task Create_CurrentRevision_IncludesTheCurrentRevision()
    {
        using var h = new HubHarness();
        h.Put("a", "1");
        var current = h.Put("a", "2");
        using var s = h.Open();
        var created = await s.CreateAsync(Key("a", startRevision: current));
        Assert.Equal(current, created.Header.Revision);
        var first = await s.NextAsync();
        AssertEvent(Assert.Single(first.Events), Event.Types.EventType.Put, "a", current, "2");
        h.Put("a", "3");
        Assert.Equal(["PUT:a@4"], Keys([await s.NextAsync()]));
    }

    [Fact]
    public async Task Create_FromNow_SkipsWhatTheStoreHasEvenBeforeItsNotify()
    {
        using var h = new HubHarness();
        h.NotifyHub = false;
        h.Put("a", "1");
        h.NotifyHub = true;
        using var s = h.Open();

        // The store is at 2 though the hub heard only of 1: "now" is the store's, as etcd's.
        var created = await s.CreateAsync(Key("a"));
        Assert.Equal(2, created.Header.Revision);
        h.Put("a", "2");
        Assert.Equal(["PUT:a@3"], Keys([await s.NextAsync()]));
        Assert.Empty(s.Drain());
    }

    [Theory]
    [InlineData(WatchCreateRequest.Types.FilterType.Noput, "DELETE:a@3,DELETE:a@5")]
    [InlineData(WatchCreateRequest.Types.FilterType.Nodelete, "PUT:a@2,PUT:a@4")]
    public async Task Create_Filter_DropsThatEventType(WatchCreateRequest.Types.FilterType filter, string expected)
    {
        using var h = new HubHarness();
        using var s = h.Open();
        var request = Key("a");
        request.Filters.Add(filter);
        await s.CreateAsync(request);
        h.Put("a", "1");
        h.Delete("a");
        h.Put("a", "2");
        h.Delete("a");
        var want = expected.Split(',');
        Assert.Equal(want, Keys(await s.EventsAsync(want.Length)));
        Assert.Empty(s.Drain());
    }

    [Fact]
    public async Task Create_BothFilters_NothingIsEverSent()
    {
        using var h = new HubHarness();
        using var s = h.Open();
        var request = Key("a");
        request.Filters.Add(WatchCreateRequest.Types.FilterType.Noput);
        request.Filters.Add(WatchCreateRequest.Types.FilterType.Nodelete);
        await s.CreateAsync(request);
        h.Put("a", "1");
        h.Delete("a");
        Assert.Empty(s.Drain());
    }

    [Fact]
    public async Task Txn_EventsOfOneRevision_ComeTogetherInOrder()
    {
        using var h = new HubHarness();
        h.Put("t/c", "0");
        using var s = h.Open();
        await s.CreateAsync(Prefix("t/"));
        using var one = h.Open();
        await one.CreateAsync(Key("t/b"));
        var rev = h.Txn(new TxnRequest
        {
            Success =
            {
                new RequestOp { RequestPut = new PutRequest { Key = B("t/a"), Value = B("1") } },
                new RequestOp { RequestPut = new PutRequest { Key = B("t/b"), Value = B("2") } },
                new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = B("t/c") } },
            },
        });

        var r = await s.NextAsync();
        Assert.Equal(rev, r.Header.Revision);
        Assert.Equal([$"PUT:t/a@{rev}", $"PUT:t/b@{rev}", $"DELETE:t/c@{rev}"], Keys([r]));
        var single = await one.NextAsync();
        Assert.Equal([$"PUT:t/b@{rev}"], Keys([single]));
        Assert.Empty(s.Drain());
    }

    [Fact]
    public async Task PrevKv_PutAndDelete_CarryTheValueBefore()
    {
        using var h = new HubHarness();
        using var s = h.Open();
        var request = Key("a");
        request.PrevKv = true;
        await s.CreateAsync(request);
        using var plain = h.Open();
        await plain.CreateAsync(Key("a"));
        h.Put("a", "1");
        h.Put("a", "2");
        h.Delete("a");
        h.Put("a", "3");

        var responses = await s.EventsAsync(4);
        var events = responses.SelectMany(r => r.Events).ToList();
        Assert.Null(events[0].PrevKv);
        Assert.Equal("1", events[1].PrevKv.Value.ToStringUtf8());
        Assert.Equal(2, events[1].PrevKv.ModRevision);
        Assert.Equal("2", events[2].PrevKv.Value.ToStringUtf8());
        Assert.Null(events[3].PrevKv);

        // The events other watchers share are not changed by it.
        Assert.All((await plain.EventsAsync(4)).SelectMany(r => r.Events), e => Assert.Null(e.PrevKv));
    }

    [Fact]
    public async Task PrevKv_Compacted_IsLeftOut()
    {
        using var h = new HubHarness();
        h.Put("a", "1");
        h.Put("a", "2");
        h.Compact(3);
        await h.Store.WhenCompacted();
        using var s = h.Open();
        var request = Key("a", startRevision: 3);
        request.PrevKv = true;
        await s.CreateAsync(request);
        var e = Assert.Single((await s.NextAsync()).Events);
        AssertEvent(e, Event.Types.EventType.Put, "a", 3, "2");
        Assert.Null(e.PrevKv);
    }

    [Fact]
    public async Task Notify_StaleRevision_IsIgnored()
    {
        using var h = new HubHarness();
        using var s = h.Open();
        await s.CreateAsync(Key("a"));
        h.Put("a", "1");
        await s.NextAsync();
        h.Hub.Notify([new Event { Kv = new KeyValue { Key = ByteString.CopyFromUtf8("a"), ModRevision = 2 } }], 2);
        Assert.Empty(s.Drain());
    }
}

using Kvasir.Api.Errors;
using Kvasir.Api.Mvccpb;
using Kvasir.Client.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Client.Tests.Contracts;

/// <summary>Watches through the client: events and their options, progress, cancel, compaction, and resuming after the stream breaks.</summary>
public abstract class WatchContract(ServerFixture server)
{
    protected ServerFixture Server { get; } = server;

    [ServerFact]
    public async Task Watch_PutAndDelete_EventsInOrderWithPrevKv()
    {
        var client = await Server.StartAsync();
        var p = Keys.Unique("watch");
        await using var watch = await WatchReader.CreatedAsync(client.Watch, p, new WatchOptions { Prefix = true, PrevKv = true });
        await client.KV.PutAsync(p + "a", "1");
        await client.KV.PutAsync(p + "a", "2");
        await client.KV.DeleteAsync(p + "a");
        var events = await watch.EventsAsync(3);
        Assert.Equal([Event.Types.EventType.Put, Event.Types.EventType.Put, Event.Types.EventType.Delete], events.Select(e => e.Type));
        Assert.Equal(["1", "2", ""], events.Select(e => e.Kv.Value.ToStringUtf8()));
        Assert.Null(events[0].PrevKv);
        Assert.Equal(["1", "2"], events.Skip(1).Select(e => e.PrevKv.Value.ToStringUtf8()));
        Assert.True(events[0].Kv.ModRevision < events[1].Kv.ModRevision && events[1].Kv.ModRevision < events[2].Kv.ModRevision);
    }

    [ServerFact]
    public async Task Watch_StartRevisionInThePast_ReplaysHistoryFromThere()
    {
        var client = await Server.StartAsync();
        var key = Keys.Unique("watch") + "k";
        var first = await client.KV.PutAsync(key, "1");
        await client.KV.PutAsync(key, "2");
        await client.KV.PutAsync(key, "3");
        await using var watch = WatchReader.Start(client.Watch, key, new WatchOptions { StartRevision = first.Header.Revision + 1 });
        var events = await watch.EventsAsync(2);
        Assert.Equal(["2", "3"], events.Select(e => e.Kv.Value.ToStringUtf8()));
    }

    [ServerFact]
    public async Task Watch_NoPut_OnlyDeletes()
    {
        var client = await Server.StartAsync();
        var key = Keys.Unique("watch") + "k";
        await using var watch = await WatchReader.CreatedAsync(client.Watch, key, new WatchOptions { NoPut = true });
        await client.KV.PutAsync(key, "1");
        await client.KV.DeleteAsync(key);
        var events = await watch.EventsAsync(1);
        Assert.Equal(Event.Types.EventType.Delete, Assert.Single(events).Type);
    }

    [ServerFact]
    public async Task RequestProgress_IdleWatch_YieldsProgressAtTheStoreRevision()
    {
        var client = await Server.StartAsync();
        var key = Keys.Unique("watch") + "k";
        await using var watch = await WatchReader.CreatedAsync(client.Watch, key, new WatchOptions());
        var elsewhere = await client.KV.PutAsync(Keys.Unique("watch") + "other", "x");
        await client.Watch.RequestProgressAsync();
        var progress = await watch.NextAsync();
        Assert.True(progress.IsProgressNotify());
        Assert.True(progress.Header.Revision >= elsewhere.Header.Revision);
    }

    [ServerFact]
    public async Task Watch_ManyWatchersOneStream_EachGetsOnlyItsKey()
    {
        var client = await Server.StartAsync();
        var p = Keys.Unique("watch");
        var watches = new List<WatchReader>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                watches.Add(await WatchReader.CreatedAsync(client.Watch, p + i, new WatchOptions()));
            }

            for (var i = 0; i < 20; i++)
            {
                await client.KV.PutAsync(p + i, "v" + i);
            }

            for (var i = 0; i < 20; i++)
            {
                var e = Assert.Single(await watches[i].EventsAsync(1));
                Assert.Equal((p + i, "v" + i), (e.Kv.Key.ToStringUtf8(), e.Kv.Value.ToStringUtf8()));
            }
        }
        finally
        {
            foreach (var w in watches)
            {
                await w.DisposeAsync();
            }
        }
    }

    [ServerFact]
    public async Task Watch_ReaderLetsGo_LaterWatchesOnTheClientWork()
    {
        var client = await Server.StartAsync();
        var key = Keys.Unique("watch") + "k";
        await using (var first = await WatchReader.CreatedAsync(client.Watch, key, new WatchOptions()))
        {
            await client.KV.PutAsync(key, "1");
            Assert.Single(await first.EventsAsync(1));
        }

        await using var second = await WatchReader.CreatedAsync(client.Watch, key, new WatchOptions());
        await client.KV.PutAsync(key, "2");
        Assert.Equal("2", Assert.Single(await second.EventsAsync(1)).Kv.Value.ToStringUtf8());
    }

    [ServerFact]
    public async Task Watch_StartRevisionCompacted_ThrowsCompactedWithTheRevision()
    {
        var client = await Server.StartAsync();
        var key = Keys.Unique("watch") + "k";
        var first = await client.KV.PutAsync(key, "1");
        var second = await client.KV.PutAsync(key, "2");
        await client.KV.CompactAsync(second.Header.Revision, physical: true);
        await using var watch = WatchReader.Start(client.Watch, key, new WatchOptions { StartRevision = first.Header.Revision });
        var e = await Assert.ThrowsAsync<EtcdCompactedException>(watch.NextAsync);
        Assert.Equal(second.Header.Revision, e.CompactRevision);
        Assert.Same(EtcdErrors.Compacted, e.Error);
    }

    [ServerFact]
    public void Watch_ContradictoryOptions_ThrowsAtTheCall()
    {
        using var client = Server.NewClient();
        Assert.Throws<ArgumentException>(() => client.Watch.WatchAsync("k", new WatchOptions { Prefix = true, FromKey = true }));
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Watch.WatchAsync("k", new WatchOptions { StartRevision = -2 }));
    }

    [ServerFact]
    public async Task Watch_StreamCutWhileWritesHappen_ResumesWithoutGapsOrRepeats()
    {
        var direct = await Server.StartAsync();
        await using var relay = TcpRelay.Start(Server.Port);
        await using var client = new EtcdClient(new EtcdClientOptions { Endpoints = [relay.Endpoint], DialTimeout = TimeSpan.FromSeconds(2) });
        var p = Keys.Unique("watch");
        await using var watch = await WatchReader.CreatedAsync(client.Watch, p, new WatchOptions { Prefix = true });
        await direct.KV.PutAsync(p + "0", "before");
        Assert.Equal("before", Assert.Single(await watch.EventsAsync(1)).Kv.Value.ToStringUtf8());

        relay.Pause();
        for (var i = 1; i <= 5; i++)
        {
            await direct.KV.PutAsync(p + i, "while-cut");
        }

        relay.Resume();
        await direct.KV.PutAsync(p + "6", "after");
        var events = await watch.EventsAsync(6);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => p + i), events.Select(e => e.Kv.Key.ToStringUtf8()));
        Assert.True(relay.Accepted >= 2, "the client reconnected through the relay");
    }

    [ServerFact]
    public async Task Watch_HistoryCompactedWhileCut_ThrowsCompacted()
    {
        var direct = await Server.StartAsync();
        await using var relay = TcpRelay.Start(Server.Port);
        await using var client = new EtcdClient(new EtcdClientOptions { Endpoints = [relay.Endpoint], DialTimeout = TimeSpan.FromSeconds(2) });
        var key = Keys.Unique("watch") + "k";
        await using var watch = await WatchReader.CreatedAsync(client.Watch, key, new WatchOptions());
        await direct.KV.PutAsync(key, "seen");
        Assert.Single(await watch.EventsAsync(1));

        relay.Pause();
        await direct.KV.PutAsync(key, "missed");
        var last = await direct.KV.PutAsync(key, "compacted-away");
        await direct.KV.CompactAsync(last.Header.Revision, physical: true);
        relay.Resume();

        var e = await Assert.ThrowsAsync<EtcdCompactedException>(watch.NextAsync);
        Assert.Equal(last.Header.Revision, e.CompactRevision);
    }

    [ServerFact]
    public async Task Watch_ConnectionsDroppedRepeatedly_EveryEventOnce()
    {
        var direct = await Server.StartAsync();
        await using var relay = TcpRelay.Start(Server.Port);
        await using var client = new EtcdClient(new EtcdClientOptions { Endpoints = [relay.Endpoint], DialTimeout = TimeSpan.FromSeconds(2) });
        var p = Keys.Unique("watch");
        await using var watch = await WatchReader.CreatedAsync(client.Watch, p, new WatchOptions { Prefix = true });
        const int seed = 20260; // Which puts are followed by a drop of every connection.
        var random = new Random(seed);
        for (var i = 0; i < 30; i++)
        {
            await direct.KV.PutAsync(p + i.ToString("D2"), "v");
            if (random.Next(4) == 0)
            {
                relay.DropAll();
            }
        }

        var events = await watch.EventsAsync(30);
        Assert.True(
            Enumerable.Range(0, 30).Select(i => p + i.ToString("D2")).SequenceEqual(events.Select(e => e.Kv.Key.ToStringUtf8())),
            $"seed {seed}: events missing, repeated or out of order; replay: dotnet test tests/Kvasir.Client.Tests -c Release --filter \"FullyQualifiedName~Watch_ConnectionsDroppedRepeatedly\"");
        await Poll.UntilAsync(() => relay.Accepted >= 2, WatchReader.Bound, "a reconnect through the relay");
    }
}

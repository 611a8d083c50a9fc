using System.Diagnostics.Metrics;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Tests.Watch.Support;
using Kvasir.Server.Watch;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;
using static Kvasir.Server.Tests.Watch.Support.HubHarness;
using static Kvasir.Server.Tests.Watch.Support.TestStream;
using static Kvasir.Server.Tests.Watch.WatchHubMatchingTests;

namespace Kvasir.Server.Tests.Watch;

/// <summary>The hub across a store replaced by a snapshot, and the etcd metrics it exports.</summary>
public sealed class WatchHubLifecycleTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Restore_NewStoreAhead_WatchersReadTheRevisionsTheyMissedFromIt()
    {
        using var h = new HubHarness();
        using var s = h.Open();
        await s.CreateAsync(Prefix("k/"));
        h.Put("k/a", "1");
        Assert.Equal(["PUT:k/a@2"], Keys(s.Drain()));

        // A leader's snapshot: the same history and three revisions more.
        using var dir = new TempDir("kvasir-watch-restore");
        using var ahead = MvccStore.Open(new MvccOptions { Path = dir.Sub("db") });
        long index = 0;
        foreach (var (key, value) in new[] { ("k/a", "1"), ("x", "2"), ("k/b", "3"), ("k/a", "4") })
        {
            ahead.Put(new PutRequest { Key = B(key), Value = B(value) }, ++index);
        }

        h.Hub.Restore(ahead);
        var seen = new List<string>();
        await h.UntilAsync(
            () =>
            {
                seen.AddRange(Keys(s.Drain()));
                return seen.Count >= 2 && h.Hub.SlowWatcherCount == 0;
            },
            Bound,
            "the watcher to read the new store");
        Assert.Equal(["PUT:k/b@4", "PUT:k/a@5"], seen);
        Assert.Equal(5, h.Hub.NotifiedRevision);

        var next = ahead.Put(new PutRequest { Key = B("k/c"), Value = B("5") }, ++index);
        h.Hub.Notify(next.Events, next.Revision);
        Assert.Equal(["PUT:k/c@6"], Keys(s.Drain()));
    }

    [Fact]
    public async Task Metrics_EtcdNames_ReportWatchersStreamsSlowPendingAndSent()
    {
        using var meter = new Meter("Kvasir.Watch.Test." + Guid.NewGuid().ToString("N"));
        using var h = new HubHarness(new WatchHubOptions { Meter = meter, StreamCapacity = 2, Random = new Random(1) });
        using var s = h.Open();
        using var t = h.Open();
        await s.CreateAsync(Key("a"));
        await t.CreateAsync(Key("a"));
        // s holds two events and its watcher is parked at the third; t is read as it goes.
        for (var i = 0; i < 3; i++)
        {
            h.Put("a", "v" + i);
            t.Drain();
        }

        var values = Observe(meter);
        Assert.Equal(2, values["etcd_debugging_mvcc_watcher_total"]);
        Assert.Equal(2, values["etcd_debugging_mvcc_watch_stream_total"]);
        Assert.Equal(1, values["etcd_debugging_mvcc_slow_watcher_total"]);
        Assert.Equal(2, values["etcd_debugging_mvcc_pending_events_total"]);
        Assert.Equal(3, values["etcd_debugging_mvcc_events_total"]);
    }

    private static Dictionary<string, long> Observe(Meter meter)
    {
        var values = new Dictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}

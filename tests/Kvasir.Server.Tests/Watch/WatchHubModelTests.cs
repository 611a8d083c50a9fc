using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Server.Tests.Watch.Support;
using Kvasir.Server.Watch;
using Xunit.Abstractions;

namespace Kvasir.Server.Tests.Watch;

/// <summary>
/// Seeded random workloads over many streams and watchers — writes, txns, deletes of ranges,
/// compactions, watchers created from now, the past and the future with filters and prev_kv,
/// cancels, progress requests and ticks, streams read eagerly or seldom so that watchers are
/// parked — checked against the store's own history: every watcher gets exactly its events, once,
/// in order, each revision whole; every progress reply vouches only for events already sent.
/// Replay one seed with KVASIR_WATCH_SEED=n.
/// </summary>
public sealed partial class WatchHubModelTests(ITestOutputHelper output)
{
    private static readonly string[] KeySpace = ["a", "ab", "b", "ba", "c", "d/1", "d/2", "e"];
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        if (int.TryParse(Environment.GetEnvironmentVariable("KVASIR_WATCH_SEED"), out var only))
        {
            data.Add(only);
            return data;
        }

        foreach (var seed in new[] { 1, 2, 3, 4, 5, 6 })
        {
            data.Add(seed);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RandomWorkload_EveryWatcherGetsExactlyItsEvents(int seed)
    {
        try
        {
            await RunAsync(seed);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"seed {seed} failed; replay: KVASIR_WATCH_SEED={seed} dotnet test tests/Kvasir.Server.Tests -c Release --filter FullyQualifiedName~WatchHubModelTests: {e.Message}", e);
        }
    }

    private async Task RunAsync(int seed)
    {
        var random = new Random(seed);
        var options = new WatchHubOptions
        {
            StreamCapacity = Pick(random, 2, 8, 64),
            RecentRevisions = Pick(random, 0, 8, 1024),
            SyncBatchEvents = Pick(random, 3, 50, 10_000),
            MaxWatchersPerSync = Pick(random, 1, 4, 512),
            ProgressNotifyInterval = TimeSpan.FromSeconds(1),
            Random = new Random(seed),
        };
        using var h = new HubHarness(options);
        var model = new Model(h);
        var streams = new List<StreamModel>();
        for (var i = 0; i < 4; i++)
        {
            streams.Add(new StreamModel(h.Open(), lazy: i % 2 == 1));
        }

        for (var step = 0; step < 400; step++)
        {
            var op = random.Next(100);
            var stream = streams[random.Next(streams.Count)];
            if (op < 40)
            {
                model.Record(h.Put(Key(random), "v" + step));
            }
            else if (op < 48)
            {
                var (key, end) = Range(random);
                model.Record(h.Delete(key, end));
            }
            else if (op < 56)
            {
                model.Record(h.Txn(RandomTxn(random, step)));
            }
            else if (op < 72)
            {
                var spec = RandomSpec(random, h.Store.CurrentRevision, Math.Max(1, h.Store.CompactRevision));
                stream.Pending.Enqueue(spec);
                stream.Stream.Stream.Create(spec.Request);
            }
            else if (op < 76 && stream.Active.Count > 0)
            {
                var id = stream.Active.Keys.ElementAt(random.Next(stream.Active.Count));
                stream.Stream.Stream.Cancel(id);
            }
            else if (op < 78)
            {
                var low = Math.Max(h.Store.CompactRevision + 1, 1);
                if (low < h.Store.CurrentRevision)
                {
                    h.Compact(low + random.Next((int)(h.Store.CurrentRevision - low)));
                    model.CompactedOnce = Math.Max(model.CompactedOnce, h.Store.CompactRevision);
                    model.Compactions.Add(h.Store.CompactRevision);
                }
            }
            else if (op < 84)
            {
                stream.Stream.Stream.RequestProgress();
            }
            else if (op < 87)
            {
                h.Time.Advance(TimeSpan.FromSeconds(1.1));
            }

            foreach (var s in streams)
            {
                if (!s.Lazy || random.Next(10) == 0)
                {
                    model.Receive(s, s.Stream.Drain());
                }
            }
        }

        // Quiesce: read everything until no watcher is behind and nothing is queued.
        await h.UntilAsync(
            () =>
            {
                foreach (var s in streams)
                {
                    model.Receive(s, s.Stream.Drain());
                }

                return h.Hub.SlowWatcherCount == 0 && h.Hub.PendingEventCount == 0 && streams.All(s => s.Pending.Count == 0);
            },
            Bound,
            "every watcher to catch up");
        foreach (var s in streams)
        {
            model.Receive(s, s.Stream.Drain());
        }

        var checkedWatchers = model.CheckFinal(streams);
        output.WriteLine($"seed {seed}: {model.Revisions} revisions, {checkedWatchers} watchers, {model.EventsChecked} events checked, {model.ProgressChecked} progress replies, options {options.StreamCapacity}/{options.RecentRevisions}/{options.SyncBatchEvents}/{options.MaxWatchersPerSync}");
        foreach (var s in streams)
        {
            s.Stream.Dispose();
        }
    }

    private static int Pick(Random random, params int[] choices) => choices[random.Next(choices.Length)];

    private static string Key(Random random) => KeySpace[random.Next(KeySpace.Length)];

    private static (string Key, string? End) Range(Random random) => random.Next(4) switch
    {
        0 => ("d/", "d0"),
        1 => ("a", "c"),
        2 => ("b", "\0"),
        _ => (Key(random), null),
    };

    private static TxnRequest RandomTxn(Random random, int step)
    {
        var txn = new TxnRequest();
        var keys = KeySpace.OrderBy(_ => random.Next()).Take(random.Next(1, 4)).ToList();
        foreach (var key in keys)
        {
            txn.Success.Add(random.Next(3) == 0
                ? new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = HubHarness.B(key) } }
                : new RequestOp { RequestPut = new PutRequest { Key = HubHarness.B(key), Value = HubHarness.B("t" + step) } });
        }

        return txn;
    }

    private static Spec RandomSpec(Random random, long current, long compacted)
    {
        var request = random.Next(6) switch
        {
            0 => new WatchCreateRequest { Key = HubHarness.B(Key(random)) },
            1 => new WatchCreateRequest { Key = HubHarness.B("d/"), RangeEnd = HubHarness.B("d0") },
            2 => new WatchCreateRequest { Key = HubHarness.B("a"), RangeEnd = HubHarness.B("b") },
            3 => new WatchCreateRequest { Key = HubHarness.B("b"), RangeEnd = HubHarness.B("\0") },
            4 => new WatchCreateRequest { Key = HubHarness.B("\0"), RangeEnd = HubHarness.B("\0") },
            _ => new WatchCreateRequest { Key = HubHarness.B(Key(random)), RangeEnd = HubHarness.B("e") },
        };
        request.StartRevision = random.Next(4) switch
        {
            0 => 0,
            1 => current + 1 + random.Next(5),
            2 => Math.Max(1, compacted - random.Next(3)),
            _ => compacted + random.Next((int)Math.Max(1, current - compacted + 1)),
        };
        if (request.Key.ToStringUtf8() == "e" && request.RangeEnd.ToStringUtf8() == "e")
        {
            request.RangeEnd = ByteString.Empty;
        }

        if (random.Next(4) == 0)
        {
            request.Filters.Add(random.Next(2) == 0 ? WatchCreateRequest.Types.FilterType.Noput : WatchCreateRequest.Types.FilterType.Nodelete);
        }

        request.PrevKv = random.Next(3) == 0;
        request.ProgressNotify = random.Next(3) == 0;
        return new Spec(request, WatchRange(request));
    }

    private static Func<string, bool> WatchRange(WatchCreateRequest r)
    {
        var key = r.Key.Length == 0 ? "\0" : r.Key.ToStringUtf8();
        var end = r.RangeEnd.ToStringUtf8();
        if (end.Length == 0)
        {
            return k => k == key;
        }

        if (end == "\0")
        {
            return k => string.CompareOrdinal(k, key) >= 0;
        }

        return k => string.CompareOrdinal(k, key) >= 0 && string.CompareOrdinal(k, end) < 0;
    }

    private sealed record Spec(WatchCreateRequest Request, Func<string, bool> Contains)
    {
        public bool Accepts(Event e) =>
            Contains(e.Kv.Key.ToStringUtf8())
            && !(e.Type == Event.Types.EventType.Put && Request.Filters.Contains(WatchCreateRequest.Types.FilterType.Noput))
            && !(e.Type == Event.Types.EventType.Delete && Request.Filters.Contains(WatchCreateRequest.Types.FilterType.Nodelete));
    }

    private sealed class StreamModel(TestStream stream, bool lazy)
    {
        public TestStream Stream { get; } = stream;

        public bool Lazy { get; } = lazy;

        public Queue<Spec> Pending { get; } = new();

        public Dictionary<long, ModelWatcher> Active { get; } = [];

        public List<ModelWatcher> All { get; } = [];
    }

    private sealed class ModelWatcher(Spec spec, long id, long from)
    {
        public Spec Spec { get; } = spec;

        public long Id { get; } = id;

        /// <summary>The first revision it may be given.</summary>
        public long From { get; } = from;

        public List<Event> Received { get; } = [];

        public long LastRevisionReceived { get; set; }

        public bool Canceled { get; set; }

        public long CompactRevision { get; set; }
    }
}

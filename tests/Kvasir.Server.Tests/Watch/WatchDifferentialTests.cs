using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Client;
using Kvasir.Server.Tests.Watch.Support;
using Kvasir.Server.Watch;
using Kvasir.Testing;
using Xunit.Abstractions;
using static Kvasir.Server.Tests.Watch.Support.HubHarness;

namespace Kvasir.Server.Tests.Watch;

/// <summary>
/// The same seeded sequence of writes, compactions and watch creates (keys, ranges, past, present
/// and future start revisions, filters, prev_kv, client-chosen ids, empty ranges, cancels) sent to Kvasir and to a real etcd 3.4.23 through
/// Kvasir's gRPC client: every watcher's created reply, events and end must be equal. Both servers
/// send progress notifications every 200 ms to watchers that asked, which tells the test when a
/// watcher has been given everything (a progress notice follows its events on the same stream).
/// Replay one seed with KVASIR_WATCH_DIFF_SEED=n.
/// </summary>
public sealed class WatchDifferentialTests(ITestOutputHelper output)
{
    private static readonly string[] KeySpace = ["a", "ab", "b", "ba", "c", "d/1", "d/2", "e"];
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RandomSequence_SameWatchResponsesAsEtcd()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KVASIR_WATCH_DIFF_SEED"), out var s) ? s : 5;
        try
        {
            await RunAsync(seed);
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"seed {seed} failed; replay: KVASIR_WATCH_DIFF_SEED={seed} dotnet test tests/Kvasir.Server.Tests -c Release --filter FullyQualifiedName~WatchDifferentialTests: {e.Message}", e);
        }
    }

    [Fact]
    public async Task Fragment_LargeCatchUp_SamePiecesAsEtcd()
    {
        var started = await Task.WhenAll(
            Task.Run(async () => (IWatchTarget)await KvasirTarget.StartAsync()),
            Task.Run(async () => (IWatchTarget)await EtcdTarget.StartAsync()));
        await using var kvasir = started[0];
        await using var etcd = started[1];
        var results = await Task.WhenAll(Run(kvasir), Run(etcd));
        Assert.Equal(results[1], results[0]);
        Assert.Equal("2 fragment,1", results[0]);

        static async Task<string> Run(IWatchTarget t)
        {
            // Three values of 700 KiB come to one catch-up response above 2 MiB: etcd splits it 2 + 1.
            for (var i = 0; i < 3; i++)
            {
                await t.PutAsync("big/" + i, new string((char)('a' + i), 700 * 1024));
            }

            using var call = t.Channel.DuplexStreaming(WatchService.WatchMethod, new CallOptions { Deadline = DateTime.UtcNow + Bound });
            await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = B("big/"), RangeEnd = B("big0"), StartRevision = 2, Fragment = true } });
            var pieces = new List<string>();
            var events = 0;
            while (events < 3 && await call.ResponseStream.MoveNextAsync())
            {
                var r = call.ResponseStream.Current;
                if (r.Events.Count > 0)
                {
                    events += r.Events.Count;
                    pieces.Add(r.Events.Count + (r.Fragment ? " fragment" : ""));
                }
            }

            return string.Join(",", pieces);
        }
    }

    private async Task RunAsync(int seed)
    {
        var random = new Random(seed);
        var started = await Task.WhenAll(
            Task.Run(async () => (IWatchTarget)await KvasirTarget.StartAsync(new WatchHubOptions { ProgressNotifyInterval = TimeSpan.FromMilliseconds(200), StreamCapacity = 16, RecentRevisions = 32 })),
            Task.Run(async () => (IWatchTarget)await EtcdTarget.StartAsync("--experimental-watch-progress-notify-interval=200ms")));
        await using var kvasir = started[0];
        await using var etcd = started[1];
        var sides = new[] { new Side(kvasir), new Side(etcd) };
        foreach (var side in sides)
        {
            side.Open(3);
        }

        long current = 1;
        long compacted = 0;
        var creates = 0;
        for (var phase = 0; phase < 2; phase++)
        {
            for (var step = 0; step < 60; step++)
            {
                var op = random.Next(10);
                if (op < 6)
                {
                    var key = KeySpace[random.Next(KeySpace.Length)];
                    var value = $"v{phase}.{step}";
                    var delete = random.Next(5) == 0;
                    current = await Same(sides, t => delete ? t.DeleteAsync(key) : t.PutAsync(key, value));
                }
                else if (op < 7)
                {
                    var txn = RandomTxn(random, step);
                    current = await Same(sides, t => t.TxnAsync(txn));
                }
                else
                {
                    var request = RandomCreate(random, current, Math.Max(compacted, 1));
                    var stream = random.Next(3);
                    foreach (var side in sides)
                    {
                        await side.CreateAsync(stream, request);
                    }

                    creates++;
                }
            }

            await Task.WhenAll(sides.Select(side => side.WaitCaughtUpAsync(current)));

            // Cancels while nothing is in flight (etcd may or may not send events queued before a cancel):
            // live watchers, compacted ones (still on their stream until canceled), unknown ids.
            for (var i = 0; i < 4; i++)
            {
                var stream = random.Next(3);
                var id = random.Next(0, 16);
                await Task.WhenAll(sides.Select(side => side.CancelAsync(stream, id)));
            }

            if (phase == 1)
            {
                // Every watcher compacted, canceled by the client as etcd's client does: each gets a canceled reply.
                for (var stream = 0; stream < 3; stream++)
                {
                    foreach (var id in sides[1].CompactedIds(stream))
                    {
                        await Task.WhenAll(sides.Select(side => side.CancelAsync(stream, id)));
                    }
                }
            }

            if (phase == 0)
            {

                compacted = current - 5;
                foreach (var side in sides)
                {
                    await side.Target.CompactAsync(compacted);
                }
            }
        }

        var kvasirWatchers = sides[0].Describe();
        var etcdWatchers = sides[1].Describe();
        var ended = etcdWatchers.Sum(w => w.Split("canceled compact=0").Length - 1);
        var compactedEnds = etcdWatchers.Sum(w => w.Split("canceled compact=").Length - 1) - ended;
        var afterCompaction = etcdWatchers.Sum(w => w.Split("canceled after compaction").Length - 1);
        output.WriteLine($"seed {seed}: {current} revisions, {creates} watchers, compacted at {compacted}; {ended} canceled, {compactedEnds} compacted, {afterCompaction} canceled after compaction");
        Assert.Equal(etcdWatchers.Count, kvasirWatchers.Count);
        for (var i = 0; i < etcdWatchers.Count; i++)
        {
            Assert.True(etcdWatchers[i] == kvasirWatchers[i], $"watcher {i}:\netcd:   {etcdWatchers[i]}\nkvasir: {kvasirWatchers[i]}");
        }

        foreach (var side in sides)
        {
            side.Dispose();
        }
    }

    /// <summary>Makes one write on both servers; their revisions must agree.</summary>
    private static async Task<long> Same(Side[] sides, Func<IWatchTarget, Task<long>> write)
    {
        var revisions = new long[sides.Length];
        for (var i = 0; i < sides.Length; i++)
        {
            revisions[i] = await write(sides[i].Target);
        }

        Assert.Equal(revisions[1], revisions[0]);
        return revisions[0];
    }

    private static TxnRequest RandomTxn(Random random, int step)
    {
        var txn = new TxnRequest();
        foreach (var key in KeySpace.OrderBy(_ => random.Next()).Take(random.Next(1, 4)))
        {
            txn.Success.Add(random.Next(3) == 0
                ? new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = B(key) } }
                : new RequestOp { RequestPut = new PutRequest { Key = B(key), Value = B("t" + step) } });
        }

        return txn;
    }

    private static WatchCreateRequest RandomCreate(Random random, long current, long compacted)
    {
        var request = random.Next(6) switch
        {
            0 => new WatchCreateRequest { Key = B(KeySpace[random.Next(KeySpace.Length)]) },
            1 => new WatchCreateRequest { Key = B("d/"), RangeEnd = B("d0") },
            2 => new WatchCreateRequest { Key = B("a"), RangeEnd = B("b") },
            3 => new WatchCreateRequest { Key = B("b"), RangeEnd = B("\0") },
            4 => new WatchCreateRequest { Key = B("\0"), RangeEnd = B("\0") },
            _ => new WatchCreateRequest { Key = B("c"), RangeEnd = B("a") },
        };
        request.StartRevision = random.Next(4) switch
        {
            0 => 0,
            1 => current + 1 + random.Next(6),
            2 => Math.Max(1, compacted - random.Next(3)),
            _ => compacted + random.Next((int)Math.Max(1, current - compacted + 1)),
        };
        if (random.Next(4) == 0)
        {
            request.Filters.Add(random.Next(2) == 0 ? WatchCreateRequest.Types.FilterType.Noput : WatchCreateRequest.Types.FilterType.Nodelete);
        }

        if (random.Next(5) == 0)
        {
            // A client-chosen id: sometimes one in use (refused), and automatic ids step over them.
            request.WatchId = random.Next(1, 6);
        }

        request.PrevKv = random.Next(3) == 0;
        request.Fragment = random.Next(2) == 0;
        request.ProgressNotify = true;
        return request;
    }

    /// <summary>One server's streams and what each of its watchers received.</summary>
    private sealed class Side(IWatchTarget target) : IDisposable
    {
        private readonly List<DuplexStreamingCall<WatchRequest, WatchResponse>> _calls = [];
        private readonly List<Task> _readers = [];
        private readonly List<StreamLog> _logs = [];
        private readonly List<(int Stream, int Index)> _created = [];

        public IWatchTarget Target { get; } = target;

        public void Open(int streams)
        {
            for (var i = 0; i < streams; i++)
            {
                var call = Target.Channel.DuplexStreaming(WatchService.WatchMethod, new CallOptions { Deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2) });
                var log = new StreamLog();
                _calls.Add(call);
                _logs.Add(log);
                _readers.Add(Task.Run(() => log.ReadAsync(call)));
            }
        }

        /// <summary>Creates a watcher and waits for its created reply, so both servers create in the same order at the same revision.</summary>
        public async Task CreateAsync(int stream, WatchCreateRequest request)
        {
            var log = _logs[stream];
            var before = log.CreatedCount;
            log.Expect(request.StartRevision);
            await _calls[stream].RequestStream.WriteAsync(new WatchRequest { CreateRequest = request.Clone() });
            await Poll.UntilAsync(() => log.CreatedCount > before, Bound, $"{Target.Name}: the created reply", TimeSpan.FromMilliseconds(5));
            _created.Add((stream, log.CreatedCount - 1));
        }

        /// <summary>The ids of the stream's watchers canceled for compaction and not canceled by the client yet.</summary>
        public List<long> CompactedIds(int stream) => _logs[stream].CompactedIds();

        /// <summary>Cancels a watcher; when it is live, waits for its canceled reply (an unknown id gets none).</summary>
        public async Task CancelAsync(int stream, long id)
        {
            var log = _logs[stream];
            var listed = log.IsListed(id);
            await _calls[stream].RequestStream.WriteAsync(new WatchRequest { CancelRequest = new WatchCancelRequest { WatchId = id } });
            if (listed)
            {
                await Poll.UntilAsync(() => !log.IsListed(id), Bound, $"{Target.Name}: the canceled reply of {id}", TimeSpan.FromMilliseconds(5));
            }
        }

        /// <summary>Waits until every live watcher that can get events has sent a progress notice at or past <paramref name="revision"/>.</summary>
        public Task WaitCaughtUpAsync(long revision) => Poll.UntilAsync(
            () => _logs.All(log => log.CaughtUp(revision)),
            Bound,
            $"{Target.Name}: every watcher to report progress at {revision}");

        public List<string> Describe()
        {
            var all = new List<string>();
            foreach (var (stream, index) in _created)
            {
                all.Add($"stream {stream}: " + _logs[stream].Describe(index));
            }

            return all;
        }

        public void Dispose()
        {
            foreach (var call in _calls)
            {
                call.Dispose();
            }
        }
    }

    /// <summary>What one stream received, by watcher in creation order.</summary>
    private sealed class StreamLog
    {
        private readonly Lock _lock = new();
        private readonly List<Watched> _watchers = [];
        private readonly Dictionary<long, Watched> _byId = [];
        private readonly Dictionary<long, Watched> _compacted = [];
        private long _expectedStart;

        public int CreatedCount
        {
            get
            {
                lock (_lock)
                {
                    return _watchers.Count;
                }
            }
        }

        /// <summary>The start revision of the create about to be sent (one at a time: the test waits for each reply).</summary>
        public void Expect(long startRevision)
        {
            lock (_lock)
            {
                _expectedStart = startRevision;
            }
        }

        public async Task ReadAsync(DuplexStreamingCall<WatchRequest, WatchResponse> call)
        {
            try
            {
                while (await call.ResponseStream.MoveNextAsync())
                {
                    Add(call.ResponseStream.Current);
                }
            }
            catch (Exception e) when (e is RpcException or OperationCanceledException or ObjectDisposedException)
            {
                // The test ended the call.
            }
        }

        public List<long> CompactedIds()
        {
            lock (_lock)
            {
                return [.. _compacted.Keys];
            }
        }

        /// <summary>True while the server lists the watcher on the stream: live, or compacted and not yet canceled.</summary>
        public bool IsListed(long id)
        {
            lock (_lock)
            {
                return _byId.ContainsKey(id) || _compacted.ContainsKey(id);
            }
        }

        public bool CaughtUp(long revision)
        {
            lock (_lock)
            {
                return _watchers.All(w => w.Ended || w.Start > revision || w.Progress >= revision);
            }
        }

        public string Describe(int index)
        {
            lock (_lock)
            {
                return _watchers[index].ToString();
            }
        }

        private void Add(WatchResponse r)
        {
            lock (_lock)
            {
                if (r.Created)
                {
                    var w = new Watched($"created id={r.WatchId} rev={r.Header.Revision} canceled={r.Canceled} reason='{r.CancelReason}'", _expectedStart);
                    _watchers.Add(w);
                    if (r.Canceled)
                    {
                        w.Ended = true;
                    }
                    else
                    {
                        _byId[r.WatchId] = w;
                    }

                    return;
                }

                if (!_byId.TryGetValue(r.WatchId, out var watcher))
                {
                    if (r.Canceled && _compacted.Remove(r.WatchId, out var compacted))
                    {
                        compacted.Lines.Add($"canceled after compaction rev={r.Header.Revision}");
                    }

                    return;
                }

                if (r.Canceled)
                {
                    watcher.Ended = true;
                    watcher.Lines.Add($"canceled compact={r.CompactRevision} reason='{r.CancelReason}' rev={r.Header.Revision}");
                    _byId.Remove(r.WatchId);
                    if (r.CompactRevision != 0)
                    {
                        _compacted[r.WatchId] = watcher;
                    }

                    return;
                }

                if (r.Events.Count == 0)
                {
                    watcher.Progress = Math.Max(watcher.Progress, r.Header.Revision);
                    return;
                }

                foreach (var e in r.Events)
                {
                    watcher.Lines.Add($"{e.Type} {e.Kv} prev={e.PrevKv}");
                }
            }
        }
    }

    private sealed class Watched(string created, long start)
    {
        public string Created { get; } = created;

        public List<string> Lines { get; } = [];

        public bool Ended { get; set; }

        public long Progress { get; set; }

        /// <summary>The start revision asked for: a watcher starting beyond a revision owes nothing through it (and Kvasir, as etcd 3.5+, sends it no progress).</summary>
        public long Start { get; } = start;

        public override string ToString() => Created + "\n  " + string.Join("\n  ", Lines);
    }
}

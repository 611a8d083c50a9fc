using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Server.Member;
using Kvasir.Server.Watch;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvasir.Bench.Load;

/// <summary>
/// The "watchhub" benchmark: the watch hub in process, over a real MVCC store. Puts are written to
/// the store first; then the timed phase hands their events to <see cref="WatchHub.Notify"/> one
/// revision at a time, as the applier would in a burst, while one consumer task per stream takes
/// and serializes what is queued (the work of the gRPC sender, without sockets). Reports events
/// delivered per second (wall clock: depends on what else the machine runs), the whole process's
/// CPU per delivered event (notifier, senders, sync worker, GC: steadier on a shared machine), and
/// what each Notify costs the applier's thread (its CPU time, wall p50/p99, allocation).
/// Usage: Kvasir.Bench.Load watchhub [revisions=200000] [scenario=all|one|prefix|keys] [streamCapacity=8192]
/// </summary>
public static class WatchHubBench
{
    [ModuleInitializer]
    internal static void Register() => Modes.Register("watchhub", Run);

    private static int Run(string[] args)
    {
        var revisions = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
        var scenario = args.Length > 1 ? args[1] : "all";
        var capacity = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : new WatchHubOptions().StreamCapacity;
        Console.WriteLine($"watchhub: {revisions:N0} revisions of one put each (64-byte values), stream capacity {capacity:N0} events, {Environment.ProcessorCount} cores");
        Console.WriteLine("scenario                                   | delivered ev/s | CPU/event    | Notify CPU  | wall p50  | wall p99   | alloc/Notify | parked | gen0 GCs");
        if (scenario is "all" or "one")
        {
            Scenario("1 watcher (prefix)", revisions, streams: 1, watchersPerStream: 1, singleKeys: false, capacity);
        }

        if (scenario is "all" or "prefix")
        {
            Scenario("1,000 watchers, one prefix, 100 streams", revisions / 10, streams: 100, watchersPerStream: 10, singleKeys: false, capacity);
        }

        if (scenario is "all" or "keys")
        {
            Scenario("10,000 single-key watchers, 100 streams", revisions, streams: 100, watchersPerStream: 100, singleKeys: true, capacity);
        }

        return 0;
    }

    private static void Scenario(string name, int revisions, int streams, int watchersPerStream, bool singleKeys, int capacity)
    {
        using var dir = new TempDir("watchhub-bench");
        using var store = MvccStore.Open(new MvccOptions { Path = dir.Sub("db") });
        using var hub = new WatchHub(store, new BenchMember(), new WatchHubOptions { StreamCapacity = capacity }, TimeProvider.System, NullLoggerFactory.Instance);
        var watchers = streams * watchersPerStream;
        var keys = singleKeys ? watchers : 1000;
        var keyBytes = new ByteString[keys];
        for (var i = 0; i < keys; i++)
        {
            keyBytes[i] = ByteString.CopyFromUtf8($"/registry/pods/ns/pod-{i:D6}");
        }

        // Watchers from now, created before the writes: every revision written later is theirs.
        var open = new List<WatchStream>();
        for (var s = 0; s < streams; s++)
        {
            var stream = hub.OpenStream();
            open.Add(stream);
            for (var w = 0; w < watchersPerStream; w++)
            {
                stream.Create(singleKeys
                    ? new WatchCreateRequest { Key = keyBytes[(s * watchersPerStream) + w] }
                    : new WatchCreateRequest { Key = ByteString.CopyFromUtf8("/registry/pods/"), RangeEnd = ByteString.CopyFromUtf8("/registry/pods0") });
            }

            stream.Read(new List<WatchFrame>());
        }

        var batches = new (IReadOnlyList<Event> Events, long Revision)[revisions];
        var value = ByteString.CopyFrom(new byte[64]);
        var request = new PutRequest { Value = value };
        for (var i = 0; i < revisions; i++)
        {
            request.Key = keyBytes[i % keys];
            var result = store.Put(request, i + 1);
            batches[i] = (result.Events, result.Revision);
        }

        store.Commit();

        // Every watcher of a prefix takes every event; a single-key watcher, those of its key.
        long expected = singleKeys ? revisions : (long)revisions * watchers;
        long delivered = 0;
        using var stop = new CancellationTokenSource();
        var consumers = new Task[open.Count];
        for (var s = 0; s < open.Count; s++)
        {
            var stream = open[s];
            consumers[s] = Task.Run(async () =>
            {
                var batch = new List<WatchFrame>();
                var buffer = new ArrayBufferWriter<byte>(64 * 1024);
                try
                {
                    while (await stream.WaitToReadAsync(stop.Token).ConfigureAwait(false))
                    {
                        var events = stream.Read(batch);
                        foreach (var frame in batch)
                        {
                            // What the gRPC writer does with each frame.
                            frame.WriteTo(buffer);
                            buffer.ResetWrittenCount();
                        }

                        batch.Clear();
                        if (Interlocked.Add(ref delivered, events) >= expected)
                        {
                            stop.Cancel();
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
        }

        var timings = new long[revisions];
        GC.Collect();
        var gcs = GC.CollectionCount(0);
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var cpu = ThreadCpu.Now();
        var processCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < revisions; i++)
        {
            var start = Stopwatch.GetTimestamp();
            hub.Notify(batches[i].Events, batches[i].Revision);
            timings[i] = Stopwatch.GetTimestamp() - start;
        }

        var notifyWall = clock.Elapsed;
        var notifyCpu = ThreadCpu.Now() - cpu;
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        var parked = hub.SlowWatcherCount;
        var finished = Task.WaitAll(consumers, TimeSpan.FromMinutes(5));
        var wall = clock.Elapsed;
        var totalCpu = Process.GetCurrentProcess().TotalProcessorTime - processCpu;
        foreach (var stream in open)
        {
            stream.Dispose();
        }

        Array.Sort(timings);
        var mean = notifyCpu.TotalMicroseconds / revisions;
        gcs = GC.CollectionCount(0) - gcs;
        var p50 = Stopwatch.GetElapsedTime(0, timings[revisions / 2]).TotalMicroseconds;
        var p99 = Stopwatch.GetElapsedTime(0, timings[(int)(revisions * 0.99)]).TotalMicroseconds;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name,-42} | {delivered / wall.TotalSeconds,14:N0} | {totalCpu.TotalNanoseconds / Math.Max(1, delivered),9:F0} ns | {mean,8:F2} µs | {p50,6:F1} µs | {p99,7:F1} µs | {allocated / (double)revisions,9:F0} B | {parked,6} | {gcs,5}{(finished ? "" : " (timed out)")}"));
        if (delivered != expected)
        {
            Console.WriteLine($"  delivered {delivered:N0} of {expected:N0} events");
        }
    }

    private sealed class BenchMember : IMemberState
    {
        public ulong ClusterId => 1;

        public ulong MemberId => 2;

        public ulong Term => 3;

        public ulong LeaderId => 2;

        public bool IsLeader => true;

        public ulong AppliedIndex => 0;

        public ResponseHeader Header(long revision) => new() { ClusterId = ClusterId, MemberId = MemberId, RaftTerm = Term, Revision = revision };
    }
}

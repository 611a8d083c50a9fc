using System.Diagnostics;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;

namespace Kvasir.Bench.Storage;

/// <summary>
/// The "mvcc" benchmark: loads N keys of V-byte values through the store's Put as the applier would (one
/// entry each, batched commits), then measures overwrites, single-key and prefix ranges (one and two
/// reader threads), history reads, memory per key, and reopen time and memory.
/// Usage: Kvasir.Bench.Storage mvcc [keys=1000000] [valueBytes=256]
/// </summary>
public static class MvccBench
{
    [ModuleInitializer]
    internal static void Register() => Modes.Register("mvcc", Run);

    private static int Run(string[] args)
    {
        var keys = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        var valueBytes = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 256;
        using var dir = new TempDir("mvcc-bench");
        var mmap = Environment.GetEnvironmentVariable("KVASIR_BENCH_MMAP");
        var options = new MvccOptions { Path = dir.Sub("mvcc.db"), Backend = new Kvasir.Storage.Backend.BackendOptions { ReaderMmapBytes = mmap is null ? 0 : long.Parse(mmap, System.Globalization.CultureInfo.InvariantCulture) } };
        var value = ByteString.CopyFrom(new byte[valueBytes]);
        var keyBytes = new ByteString[keys];
        for (var i = 0; i < keys; i++)
        {
            keyBytes[i] = ByteString.CopyFromUtf8($"/registry/pods/ns-{i % 97:D2}/pod-{i:D8}");
        }

        Console.WriteLine($"mvcc: {keys:N0} keys of {valueBytes} bytes; key like {keyBytes[0].ToStringUtf8()}");
        var baseline = Heap();
        long index = 0;
        var store = MvccStore.Open(options);
        try
        {
            var request = new PutRequest { Value = value };
            var (wall, cpu) = Measure(() =>
            {
                for (var i = 0; i < keys; i++)
                {
                    request.Key = keyBytes[i];
                    store.Put(request, ++index);
                }

                store.Commit();
            });
            Report("put (new keys)", keys, wall, cpu);

            var heap = Heap() - baseline;
            Console.WriteLine($"memory after load: managed heap {heap / 1e6:F1} MB ({heap / (double)keys:F0} B/key, key names included), RSS {Rss() / 1e6:F1} MB, db {store.DbSize / 1e6:F1} MB");

            var overwrites = Math.Min(keys, 200_000);
            var rng = new Random(1);
            (wall, cpu) = Measure(() =>
            {
                for (var i = 0; i < overwrites; i++)
                {
                    request.Key = keyBytes[rng.Next(keys)];
                    store.Put(request, ++index);
                }

                store.Commit();
            });
            Report("put (overwrite random key)", overwrites, wall, cpu);

            var ranges = Math.Min(keys, 300_000);
            (wall, cpu) = Measure(() => RangeLoop(store, keyBytes, ranges, seed: 2));
            Report("range single key, 1 thread", ranges, wall, cpu);

            (wall, cpu) = Measure(() =>
            {
                var t1 = new Thread(() => RangeLoop(store, keyBytes, ranges / 2, seed: 3));
                var t2 = new Thread(() => RangeLoop(store, keyBytes, ranges / 2, seed: 4));
                t1.Start();
                t2.Start();
                t1.Join();
                t2.Join();
            });
            Report("range single key, 2 threads", ranges, wall, cpu);

            var prefixRanges = 2_000;
            (wall, cpu) = Measure(() =>
            {
                var r = new RangeRequest { Limit = 100 };
                for (var i = 0; i < prefixRanges; i++)
                {
                    r.Key = ByteString.CopyFromUtf8($"/registry/pods/ns-{i % 97:D2}/");
                    r.RangeEnd = KeyRange.PrefixEnd(r.Key.Span);
                    _ = store.Range(r).Response!;
                }
            });
            Report($"range prefix limit 100 (of ~{keys / 97:N0} keys)", prefixRanges, wall, cpu);

            var from = store.CurrentRevision - 100_000;
            long events = 0;
            (wall, cpu) = Measure(() =>
            {
                for (var next = Math.Max(2, from); next <= store.CurrentRevision;)
                {
                    var batch = store.ReadEvents(next, long.MaxValue, maxEvents: 10_000).Response!;
                    events += batch.Events.Count;
                    next = batch.Through + 1;
                }
            });
            Report("history read (events)", events, wall, cpu);

            (wall, cpu) = Measure(() => store.Compact(new CompactionRequest { Revision = store.CurrentRevision }, ++index).Physical.WaitAsync(TimeSpan.FromMinutes(10)).GetAwaiter().GetResult());
            Console.WriteLine($"compaction of {overwrites:N0} superseded revisions: {wall.TotalSeconds:F2} s wall");
        }
        finally
        {
            store.Dispose();
        }

        store = null!;
        var beforeOpen = Heap();
        var open = Stopwatch.StartNew();
        store = MvccStore.Open(options);
        open.Stop();
        var reopened = Heap() - beforeOpen;
        Console.WriteLine($"reopen: {open.Elapsed.TotalSeconds:F2} s for {store.IndexedKeys:N0} keys; managed heap +{reopened / 1e6:F1} MB ({reopened / (double)keys:F0} B/key), RSS {Rss() / 1e6:F1} MB");
        store.Dispose();
        return 0;
    }

    private static void RangeLoop(MvccStore store, ByteString[] keys, int n, int seed)
    {
        var rng = new Random(seed);
        var r = new RangeRequest { Serializable = true };
        for (var i = 0; i < n; i++)
        {
            r.Key = keys[rng.Next(keys.Length)];
            if (store.Range(r).Response!.Count != 1)
            {
                throw new InvalidOperationException("a loaded key is missing");
            }
        }
    }

    private static (TimeSpan Wall, TimeSpan Cpu) Measure(Action body)
    {
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        body();
        sw.Stop();
        process.Refresh();
        return (sw.Elapsed, process.TotalProcessorTime - cpu0);
    }

    private static void Report(string what, long n, TimeSpan wall, TimeSpan cpu) =>
        Console.WriteLine($"{what}: {n / wall.TotalSeconds:N0}/s, {wall.TotalMicroseconds / n:F2} µs wall and {cpu.TotalMicroseconds / n:F2} µs CPU each ({n:N0} in {wall.TotalSeconds:F2} s)");

    private static long Heap()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static long Rss()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.WorkingSet64;
    }
}

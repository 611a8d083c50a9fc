using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Kvasir.Raft;
using Kvasir.Storage.IO;
using Kvasir.Storage.Wal;
using Kvasir.Testing;

namespace Kvasir.Bench.Storage;

/// <summary>
/// <c>wal [--seconds S] [--rounds R] [--writers 1,16,256] [--sizes 100,1024] [--dir DIR]</c>: durable
/// WAL appends per second and fdatasyncs per second for each number of concurrent writers and entry
/// size, beside the disk's raw pwrite+fdatasync rate. Each writer loops: take the next index, append
/// one entry, wait until it is durable. The disk may be shared, so the runs are interleaved in
/// rounds (raw, then each writer count, R times) and each WAL figure is also given as a ratio to the
/// raw rate of its own round. Prints Markdown tables of medians over the rounds.
/// </summary>
public static class WalBench
{
    [ModuleInitializer]
    internal static void Register() => Modes.Register("wal", Run);

    private static int Run(string[] args)
    {
        var seconds = 2.0;
        var rounds = 5;
        int[] writers = [1, 16, 256];
        int[] sizes = [100, 1024];
        string? root = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--seconds":
                    seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--rounds":
                    rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--writers":
                    writers = Array.ConvertAll(args[i + 1].Split(','), s => int.Parse(s, CultureInfo.InvariantCulture));
                    break;
                case "--sizes":
                    sizes = Array.ConvertAll(args[i + 1].Split(','), s => int.Parse(s, CultureInfo.InvariantCulture));
                    break;
                case "--dir":
                    root = args[i + 1];
                    break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]}");
                    return 2;
            }
        }

        using var temp = new TempDir("kvasir-bench-wal");
        var dir = root ?? temp.Path;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# WAL benchmark: {rounds} rounds of {seconds:0.#} s runs, {Environment.ProcessorCount} cores, load average {LoadAverage()} at start"));
        var run = 0;
        foreach (var size in sizes)
        {
            var raw = new List<Result>();
            var wal = new Dictionary<int, List<(Result Result, double Ratio)>>();
            foreach (var count in writers)
            {
                wal[count] = [];
            }

            for (var round = 0; round < rounds; round++)
            {
                var rawDir = Path.Combine(dir, $"run-{run++}");
                var baseline = RawFdatasync(rawDir, size, seconds);
                Directory.Delete(rawDir, recursive: true);
                raw.Add(baseline);
                foreach (var count in writers)
                {
                    // The benchmark's entry point is synchronous; it blocks here as an async Main would.
                    var walDir = Path.Combine(dir, $"run-{run++}");
                    var result = Task.Run(() => WalAsync(walDir, count, size, seconds)).GetAwaiter().GetResult();
                    Directory.Delete(walDir, recursive: true);
                    wal[count].Add((result, result.Appends / Math.Max(1, baseline.Appends)));
                }
            }

            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"## {size}-byte entries (load average {LoadAverage()} at end)"));
            Console.WriteLine();
            Console.WriteLine("| what | writers | durable appends/s (median, min–max) | fdatasyncs/s | appends per fdatasync | appends/s ÷ raw fdatasync/s of the round | p50 latency | p99 latency |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(Row("raw pwrite+fdatasync", 1, raw, null));
            foreach (var count in writers)
            {
                Console.WriteLine(Row("WAL SaveAsync", count, wal[count].ConvertAll(x => x.Result), wal[count].ConvertAll(x => x.Ratio)));
            }
        }

        return 0;
    }

    private static string Row(string what, int writers, List<Result> results, List<double>? ratios)
    {
        var appends = results.ConvertAll(r => r.Appends);
        var syncs = results.ConvertAll(r => r.Syncs);
        var perSync = results.ConvertAll(r => r.Appends / Math.Max(1, r.Syncs));
        var ratio = ratios is null ? "1" : string.Create(CultureInfo.InvariantCulture, $"{Median(ratios):0.00}×");
        return string.Create(
            CultureInfo.InvariantCulture,
            $"| {what} | {writers} | {Median(appends):N0} ({appends.Min():N0}–{appends.Max():N0}) | {Median(syncs):N0} | {Median(perSync):0.0} | {ratio} | {Ms(Median(results.ConvertAll(r => (double)r.P50)))} | {Ms(Median(results.ConvertAll(r => (double)r.P99)))} |");
    }

    private static double Median(List<double> values)
    {
        var sorted = new List<double>(values);
        sorted.Sort();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>One thread: pwrite <paramref name="size"/> bytes at the next offset of a preallocated file, fdatasync, repeat.</summary>
    private static Result RawFdatasync(string dir, int size, double seconds)
    {
        using var device = new FileStorageDevice(dir);
        using var file = device.Open("raw.dat", StorageFileMode.CreateNew);
        file.Allocate(64L * 1024 * 1024);
        file.Sync();
        var data = new byte[size];
        Random.Shared.NextBytes(data);
        var latencies = new List<long>(100_000);
        var clock = Stopwatch.StartNew();
        var end = Stopwatch.Frequency * seconds;
        long offset = 0;
        long count = 0;
        while (clock.ElapsedTicks < end)
        {
            var start = Stopwatch.GetTimestamp();
            file.Write(offset, data);
            file.Sync();
            latencies.Add(Stopwatch.GetTimestamp() - start);
            offset = (offset + size) % (60L * 1024 * 1024);
            count++;
        }

        var elapsed = clock.Elapsed.TotalSeconds;
        return new Result(count / elapsed, count / elapsed, Percentile(latencies, 0.5), Percentile(latencies, 0.99));
    }

    /// <summary><paramref name="writers"/> tasks each append one entry at a time and wait until it is durable.</summary>
    private static async Task<Result> WalAsync(string dir, int writers, int size, double seconds)
    {
        var data = new byte[size];
        Random.Shared.NextBytes(data);
        var payload = ByteString.CopyFrom(data);
        await using var wal = WriteAheadLog.Create(dir, new WalMetadata(1, 1));
        var gate = new SemaphoreSlim(1, 1);
        ulong next = 1;
        var stop = false;
        var latencies = new List<long>[writers];

        async Task Writer(int w)
        {
            var mine = latencies[w] = new List<long>(100_000);
            while (!Volatile.Read(ref stop))
            {
                var start = Stopwatch.GetTimestamp();
                WalPosition position;
                await gate.WaitAsync().ConfigureAwait(false);
                try
                {
                    position = await wal.AppendAsync(null, [new Entry { Index = next, Term = 1, Data = payload }], mustSync: true, CancellationToken.None).ConfigureAwait(false);
                    next++;
                }
                finally
                {
                    gate.Release();
                }

                await wal.WaitDurableAsync(position, CancellationToken.None).ConfigureAwait(false);
                mine.Add(Stopwatch.GetTimestamp() - start);
            }
        }

        var tasks = new Task[writers];
        var before = wal.Statistics;
        var clock = Stopwatch.StartNew();
        for (var w = 0; w < writers; w++)
        {
            var id = w;
            tasks[w] = Task.Run(() => Writer(id));
        }

        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        Volatile.Write(ref stop, true);
        await Task.WhenAll(tasks).ConfigureAwait(false);
        var elapsed = clock.Elapsed.TotalSeconds;
        var after = wal.Statistics;
        var all = new List<long>();
        foreach (var list in latencies)
        {
            all.AddRange(list);
        }

        return new Result((after.Appends - before.Appends) / elapsed, (after.Syncs - before.Syncs) / elapsed, Percentile(all, 0.5), Percentile(all, 0.99));
    }

    private static long Percentile(List<long> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        values.Sort();
        return values[(int)Math.Min(values.Count - 1, p * values.Count)];
    }

    private static string Ms(double ticks) => string.Create(CultureInfo.InvariantCulture, $"{ticks * 1000.0 / Stopwatch.Frequency:0.00} ms");

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private readonly record struct Result(double Appends, double Syncs, long P50, long P99);
}

using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;
using Kvasir.Server.Services;
using Kvasir.Testing;

namespace Kvasir.Bench.Load.Member;

/// <summary>
/// The member benchmark ("member" mode): puts, serializable and linearizable single-key ranges
/// through the Kvasir.Grpc client at 1, 256 and 1,000 callers (over 1, 1 and 100 connections),
/// against a kvasir member and a real etcd 3.4.23 started side by side on this machine, in the same
/// run, with fresh data each. Reports throughput, p50/p99 latency and the server's CPU per
/// operation (from /proc), and kvasir's figures as ratios to etcd's.
/// <code>dotnet bench/Kvasir.Bench.Load/bin/Release/net10.0/Kvasir.Bench.Load.dll member [--seconds 5] [--value-bytes 256] [--rows put,range-s,range-l] [--callers 1,256,1000]</code>
/// </summary>
public static class MemberBench
{
    [ModuleInitializer]
    internal static void Register() => Modes.Register("member", Run);

    private static int Run(string[] args)
    {
        var options = MemberBenchOptions.Parse(args);
        return RunAsync(options).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(MemberBenchOptions options)
    {
        var results = new List<MemberBenchResult>();
        await using (var kvasir = await KvasirProcess.StartAsync())
        {
            results.AddRange(await RunTargetAsync("kvasir", kvasir.Endpoint, kvasir.Pid, options));
        }

        await using (var etcd = await EtcdServer.StartAsync())
        {
            results.AddRange(await RunTargetAsync("etcd", etcd.Endpoint, etcd.Pid, options));
        }

        MemberBenchResult.Print(results, Console.Out);
        return 0;
    }

    private static async Task<List<MemberBenchResult>> RunTargetAsync(string name, string endpoint, int pid, MemberBenchOptions options)
    {
        var results = new List<MemberBenchResult>();
        var value = ByteString.CopyFrom(new byte[options.ValueBytes]);
        foreach (var callers in options.Callers)
        {
            // etcd's benchmark matrix: 1,000 clients over 100 connections (two channels of 50 here).
            var connections = callers >= 1000 ? 100 : 1;
            var channels = Enumerable.Range(0, connections > 1 ? 2 : 1)
                .Select(_ => new GrpcChannel(new GrpcChannelOptions { Endpoints = [endpoint], ConnectionsPerEndpoint = connections > 1 ? connections / 2 : 1 }))
                .ToArray();
            var channel = channels[0];

            // The key the ranges read, written first.
            await channel.UnaryAsync(EtcdMethods.Put, new PutRequest { Key = Key(0, 0), Value = value });
            foreach (var row in options.Rows)
            {
                Func<int, long, Task> op = row switch
                {
                    "put" => (c, i) => channels[c % channels.Length].UnaryAsync(EtcdMethods.Put, new PutRequest { Key = Key(c, i % options.KeysPerCaller), Value = value }),
                    "range-s" => (c, _) => channels[c % channels.Length].UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = Key(0, 0), Serializable = true }),
                    _ => (c, _) => channels[c % channels.Length].UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = Key(0, 0) }),
                };
                results.Add(await MeasureAsync(name, row, callers, connections, pid, options, op));
                Console.Error.WriteLine(results[^1]);
            }

            foreach (var c in channels)
            {
                c.Dispose();
            }
        }

        return results;
    }

    private static async Task<MemberBenchResult> MeasureAsync(string target, string row, int callers, int connections, int pid, MemberBenchOptions options, Func<int, long, Task> op)
    {
        // Warm-up: a second of the same load, not measured.
        await DriveAsync(callers, TimeSpan.FromSeconds(1), op, null);
        var latencies = new List<long>[callers];
        for (var c = 0; c < callers; c++)
        {
            latencies[c] = new List<long>(4096);
        }

        var cpu = ProcessCpu.Of(pid);
        var clock = Stopwatch.StartNew();
        var ops = await DriveAsync(callers, TimeSpan.FromSeconds(options.Seconds), op, latencies);
        var elapsed = clock.Elapsed;
        var serverCpu = ProcessCpu.Of(pid) - cpu;
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new MemberBenchResult(target, row, callers, connections, ops / elapsed.TotalSeconds, Percentile(all, 0.50), Percentile(all, 0.99), serverCpu.TotalMicroseconds / Math.Max(1, ops));
    }

    private static async Task<long> DriveAsync(int callers, TimeSpan duration, Func<int, long, Task> op, List<long>[]? latencies)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        long total = 0;
        var tasks = new Task[callers];
        for (var c = 0; c < callers; c++)
        {
            var caller = c;
            tasks[c] = Task.Run(async () =>
            {
                long i = 0;
                while (Stopwatch.GetTimestamp() < deadline)
                {
                    var start = Stopwatch.GetTimestamp();
                    await op(caller, i++);
                    latencies?[caller].Add(Stopwatch.GetTimestamp() - start);
                }

                Interlocked.Add(ref total, i);
            });
        }

        await Task.WhenAll(tasks);
        return total;
    }

    private static double Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))] * 1000.0 / Stopwatch.Frequency;

    private static ByteString Key(int caller, long i) => ByteString.CopyFromUtf8(string.Create(CultureInfo.InvariantCulture, $"/bench/{caller:D4}/{i:D6}"));
}

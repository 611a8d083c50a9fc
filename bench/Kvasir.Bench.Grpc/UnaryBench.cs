using System.Diagnostics;
using System.Globalization;
using System.Net;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Client;
using Kvasir.Grpc.Hosting;
using Kvasir.Grpc.Server;
using Kvasir.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Kvasir.Bench.Grpc;

/// <summary>Closed-loop unary callers against one target for a fixed time; counts calls and the process's allocations.</summary>
internal static class UnaryBench
{
    private static readonly Method<RangeRequest, RangeResponse> Range =
        Method.Create(MethodType.Unary, "etcdserverpb.KV", "Range", RangeRequest.Parser, RangeResponse.Parser);

    /// <summary>Latency samples kept per caller, allocated before the measured interval.</summary>
    private const int SamplesPerCaller = 4096;

    private static readonly ByteString Key = ByteString.CopyFromUtf8("bench-key");
    private static readonly ByteString Value = ByteString.CopyFrom(new byte[64]);

    public static async Task<int> RunAsync(int[] callers, TimeSpan duration, TimeSpan warmup, int rounds, int connections)
    {
        await using var kvasir = await StartKvasirAsync();
        await using var etcd = await EtcdServer.StartAsync();
        using (var setup = GrpcChannel.ForEndpoints(etcd.Endpoint))
        {
            await setup.UnaryAsync(
                Method.Create(MethodType.Unary, "etcdserverpb.KV", "Put", PutRequest.Parser, PutResponse.Parser),
                new PutRequest { Key = Key, Value = Value });
        }

        Console.WriteLine($"# unary Range round trips: median of {rounds} alternating rounds of {duration.TotalSeconds:0.#} s per target, {connections} connection(s), {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine("| callers | Kvasir calls/s | etcd 3.4.23 calls/s | ratio | Kvasir p50 / p99 ms | etcd p50 / p99 ms | alloc/call client+server | alloc/call client only |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var n in callers)
        {
            var oursRounds = new List<Result>();
            var theirsRounds = new List<Result>();
            for (var r = 0; r < rounds; r++)
            {
                oursRounds.Add(await MeasureAsync(kvasir.Endpoint, n, duration, warmup, connections));
                theirsRounds.Add(await MeasureAsync(etcd.Endpoint, n, duration, warmup, connections));
            }

            var ours = Median(oursRounds);
            var theirs = Median(theirsRounds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {n} | {ours.PerSecond:0} | {theirs.PerSecond:0} | {ours.PerSecond / theirs.PerSecond:0.00}x | {ours.P50:0.00} / {ours.P99:0.00} | {theirs.P50:0.00} / {theirs.P99:0.00} | {ours.BytesPerCall:0} B | {theirs.BytesPerCall:0} B |"));
        }

        return 0;
    }

    private static async Task<Result> MeasureAsync(string endpoint, int callers, TimeSpan duration, TimeSpan warmup, int connections)
    {
        using var channel = new GrpcChannel(new GrpcChannelOptions { Endpoints = [endpoint], ConnectionsPerEndpoint = connections });
        var request = new RangeRequest { Key = Key };
        await Loop(channel, request, callers, warmup, null);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var latencies = new List<double>[callers];
        for (var c = 0; c < callers; c++)
        {
            latencies[c] = new List<double>(SamplesPerCaller);
        }

        using var sampler = Environment.GetEnvironmentVariable("KVASIR_BENCH_ALLOC_SAMPLES") == "1" ? new AllocationSampler() : null;
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var calls = await Loop(channel, request, callers, duration, latencies);
        var elapsed = clock.Elapsed;
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        if (sampler is not null)
        {
            Console.WriteLine($"## allocation samples, {endpoint}, {callers} callers, {calls} calls");
            foreach (var (type, bytes) in sampler.Top(15))
            {
                Console.WriteLine($"   {bytes / calls,8:0} B/call  {type}");
            }
        }

        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(calls / elapsed.TotalSeconds, (double)allocated / calls, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static async Task<long> Loop(GrpcChannel channel, RangeRequest request, int callers, TimeSpan duration, List<double>[]? latencies)
    {
        var stop = false;
        var tasks = new Task<long>[callers];
        for (var c = 0; c < callers; c++)
        {
            var samples = latencies?[c];
            tasks[c] = Task.Run(async () =>
            {
                long count = 0;
                while (!Volatile.Read(ref stop))
                {
                    var start = Stopwatch.GetTimestamp();
                    await channel.UnaryAsync(Range, request).ConfigureAwait(false);
                    if (samples is not null && samples.Count < samples.Capacity)
                    {
                        samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                    }

                    count++;
                }

                return count;
            });
        }

        await Task.Delay(duration);
        Volatile.Write(ref stop, true);
        var counts = await Task.WhenAll(tasks);
        return counts.Sum();
    }

    /// <summary>The round with the median rate (its latencies and allocations go with it).</summary>
    private static Result Median(List<Result> rounds) => rounds.OrderBy(r => r.PerSecond).ElementAt(rounds.Count / 2);

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    private static async Task<KvasirServer> StartKvasirAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpcTransport();
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            GrpcKestrel.ApplyLimits(kestrel, Environment.GetEnvironmentVariable("KVASIR_BENCH_MAX_STREAMS") is { Length: > 0 } max ? new GrpcKestrelLimits { MaxStreamsPerConnection = int.Parse(max, CultureInfo.InvariantCulture) } : null);
            listen = GrpcKestrel.ListenCleartext(kestrel, new IPEndPoint(IPAddress.Loopback, 0));
        });
        var app = builder.Build();

        // The trivial handler: the answer etcd gives for one 64-byte value, built once.
        var answer = new RangeResponse
        {
            Header = new ResponseHeader { ClusterId = 0xcdf818194e3a8c32, MemberId = 0x8e9e05c52164694d, Revision = 2, RaftTerm = 2 },
            Kvs = { new KeyValue { Key = Key, Value = Value, CreateRevision = 2, ModRevision = 2, Version = 1 } },
            Count = 1,
        };
        var router = new GrpcRouter();
        router.AddUnary(Range, (_, _) => new ValueTask<RangeResponse>(answer));
        app.UseGrpc(router);
        await app.StartAsync();
        return new KvasirServer(app, $"127.0.0.1:{listen!.IPEndPoint!.Port}");
    }

    private sealed record Result(double PerSecond, double BytesPerCall, double P50, double P99);

    private sealed class KvasirServer(WebApplication app, string endpoint) : IAsyncDisposable
    {
        public string Endpoint { get; } = endpoint;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}

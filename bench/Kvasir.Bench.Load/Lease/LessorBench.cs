using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;
using Kvasir.Server.Lease;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvasir.Bench.Load.Lease;

/// <summary>
/// The "lessor" benchmark. Against the Lease service hosted in-process (lessor + real MVCC store, proposals
/// applied at once: no Raft, no WAL) and, when installed, a real etcd 3.4.23, with the same gRPC client:
/// grants/s with 16 callers, keep-alives/s on one stream (one request at a time, and 128 in flight), and
/// keep-alives/s across 1,000 leases on 8 streams. Then, in-process only, the cost of expiring 10,000 leases
/// (one key each): wall and CPU time from expiry to the last revoke applied, with the rate limit lifted, and
/// what the default 1,000/s limit makes of it.
/// Usage: Kvasir.Bench.Load lessor [seconds per phase = 3] [--no-etcd]
/// </summary>
public static class LessorBench
{
    [ModuleInitializer]
    internal static void Register() => Modes.Register("lessor", Run);

    private static int Run(string[] args)
    {
        var seconds = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var s) ? s : 3;
        var withEtcd = !args.Contains("--no-etcd") && EtcdServer.IsInstalled;
        RunAsync(TimeSpan.FromSeconds(seconds), withEtcd).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAsync(TimeSpan phase, bool withEtcd)
    {
        Console.WriteLine($"lessor bench: {phase.TotalSeconds:F0} s per phase, {Environment.ProcessorCount} cores");
        var kvasir = new Dictionary<string, double>();
        await using (var host = await Host.StartAsync())
        {
            await ClientPhasesAsync("kvasir", host.Endpoint, phase, kvasir);
        }

        if (withEtcd)
        {
            var etcd = new Dictionary<string, double>();
            await using (var server = await EtcdServer.StartAsync())
            {
                await ClientPhasesAsync("etcd", server.Endpoint, phase, etcd);
            }

            foreach (var (name, value) in kvasir)
            {
                Console.WriteLine($"ratio {name}: kvasir/etcd = {value / etcd[name]:F2}");
            }
        }

        Expiry(10_000);
    }

    private static async Task ClientPhasesAsync(string who, string endpoint, TimeSpan phase, Dictionary<string, double> results)
    {
        using var channel = new GrpcChannel(new GrpcChannelOptions { Endpoints = [endpoint], ConnectionsPerEndpoint = 2 });

        // Warm-up, then grants from 16 callers.
        await channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = 600 });
        var granted = 0L;
        var (wall, cpu) = await MeasureAsync(phase, async until =>
        {
            var callers = new Task[16];
            for (var c = 0; c < callers.Length; c++)
            {
                callers[c] = Task.Run(async () =>
                {
                    while (Stopwatch.GetTimestamp() < until)
                    {
                        await channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = 600 });
                        Interlocked.Increment(ref granted);
                    }
                });
            }

            await Task.WhenAll(callers);
        });
        Report(who, "grants, 16 callers", granted, wall, cpu, results);

        var one = await channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = 600 });
        var kept = 0L;
        (wall, cpu) = await MeasureAsync(phase, until => KeepAliveAsync(channel, [one.ID], 1, until, n => kept += n));
        Report(who, "keep-alives, 1 stream, 1 in flight", kept, wall, cpu, results);

        kept = 0;
        (wall, cpu) = await MeasureAsync(phase, until => KeepAliveAsync(channel, [one.ID], 128, until, n => kept += n));
        Report(who, "keep-alives, 1 stream, 128 in flight", kept, wall, cpu, results);

        var many = new long[1000];
        for (var i = 0; i < many.Length; i++)
        {
            many[i] = (await channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = 600 })).ID;
        }

        var total = 0L;
        (wall, cpu) = await MeasureAsync(phase, async until =>
        {
            var streams = new Task[8];
            var counts = new long[streams.Length];
            for (var st = 0; st < streams.Length; st++)
            {
                var mine = many.Where((_, i) => i % streams.Length == st).ToArray();
                var slot = st;
                streams[st] = KeepAliveAsync(channel, mine, 32, until, n => counts[slot] += n);
            }

            await Task.WhenAll(streams);
            total = counts.Sum();
        });
        Report(who, "keep-alives, 1,000 leases on 8 streams", total, wall, cpu, results);
    }

    /// <summary>Keeps <paramref name="window"/> requests in flight on one stream, cycling through <paramref name="ids"/>, until the deadline.</summary>
    private static async Task KeepAliveAsync(GrpcChannel channel, long[] ids, int window, long until, Action<long> done)
    {
        using var call = channel.DuplexStreaming(LeaseMethods.KeepAlive);
        var sent = 0L;
        var received = 0L;
        for (; sent < window; sent++)
        {
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = ids[sent % ids.Length] });
        }

        while (received < sent)
        {
            if (!await call.ResponseStream.MoveNextAsync())
            {
                throw new InvalidOperationException("the keep-alive stream ended early");
            }

            if (call.ResponseStream.Current.TTL <= 0)
            {
                throw new InvalidOperationException($"lease {call.ResponseStream.Current.ID:x16} not renewed");
            }

            received++;
            if (Stopwatch.GetTimestamp() < until)
            {
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = ids[sent++ % ids.Length] });
            }
        }

        await call.RequestStream.CompleteAsync();
        done(received);
    }

    /// <summary>Grants <paramref name="count"/> leases with a key each, expires them all at once, and times the loop revoking them.</summary>
    private static void Expiry(int count)
    {
        using var dir = new TempDir("lessor-bench");
        var clock = new SkewedClock();
        using var store = MvccStore.Open(new MvccOptions { Path = dir.Sub("db"), Time = clock });
        var options = new LessorOptions { RevokeRate = 1_000_000_000, LoopInterval = TimeSpan.FromMilliseconds(10), MaxPendingRevokes = 16, CheckpointEnabled = false };
        using var lessor = new Lessor(store, new BenchMember(), options, clock, NullLoggerFactory.Instance);
        var applier = new BenchApplier(store, lessor);
        lessor.OnLeadershipChanged(true);
        var value = ByteString.CopyFromUtf8("endpoint-10.0.0.1:8080");
        for (var i = 0; i < count; i++)
        {
            var id = lessor.NewLeaseId();
            applier.ProposeAsync(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { ID = id, TTL = 60 } }, CancellationToken.None).GetAwaiter().GetResult();
            applier.ProposeAsync(new InternalRaftRequest { Put = new PutRequest { Key = ByteString.CopyFromUtf8($"/services/web/{i:D6}"), Value = value, Lease = id } }, CancellationToken.None).GetAwaiter().GetResult();
        }

        store.Commit();
        lessor.Start(applier);
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        clock.Jump(TimeSpan.FromMinutes(2));
        while (lessor.Count > 0)
        {
            Thread.Sleep(5);
        }

        var wall = Stopwatch.GetElapsedTime(start);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        Console.WriteLine($"kvasir  expiry of {count:N0} leases (1 key each), rate limit lifted: {wall.TotalMilliseconds:F0} ms wall, {cpu.TotalMilliseconds:F0} ms CPU, {cpu.TotalMicroseconds / count:F1} µs CPU per lease; keys left {store.Range(new RangeRequest { Key = ByteString.CopyFromUtf8("/"), RangeEnd = ByteString.CopyFrom(0) }).Response!.Count}");
        Console.WriteLine($"kvasir  expiry of {count:N0} leases at the default 1,000/s: {count / 1000.0:F0} s by design (etcd's leaseRevokeRate), about {cpu.TotalMilliseconds / (count / 1000.0) / 10:F2} % of one core");
    }

    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> MeasureAsync(TimeSpan phase, Func<long, Task> body)
    {
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var start = Stopwatch.GetTimestamp();
        await body(start + (long)(phase.TotalSeconds * Stopwatch.Frequency));
        var wall = Stopwatch.GetElapsedTime(start);
        process.Refresh();
        return (wall, process.TotalProcessorTime - cpu0);
    }

    private static void Report(string who, string what, long count, TimeSpan wall, TimeSpan cpu, Dictionary<string, double> results)
    {
        var rate = count / wall.TotalSeconds;
        results[what] = rate;
        Console.WriteLine($"{who,-7} {what,-40} {rate,10:N0} /s  ({count:N0} in {wall.TotalSeconds:F1} s; this process's CPU {cpu.TotalMicroseconds / Math.Max(1, count):F1} µs per op)");
    }

    /// <summary>The Lease service on a loopback port over a fresh store: the same wiring the member does, minus Raft.</summary>
    private sealed class Host : IAsyncDisposable
    {
        private readonly TempDir _dir;
        private readonly LoopbackGrpcServer _server;
        private readonly MvccStore _store;
        private readonly Lessor _lessor;

        private Host(TempDir dir, LoopbackGrpcServer server, MvccStore store, Lessor lessor)
        {
            _dir = dir;
            _server = server;
            _store = store;
            _lessor = lessor;
        }

        public string Endpoint => _server.Endpoint;

        public static async Task<Host> StartAsync()
        {
            var dir = new TempDir("lessor-bench");
            var store = MvccStore.Open(new MvccOptions { Path = dir.Sub("db") });
            var member = new BenchMember();
            var lessor = new Lessor(store, member, new LessorOptions(), TimeProvider.System, NullLoggerFactory.Instance);
            var applier = new BenchApplier(store, lessor);
            lessor.Start(applier);
            lessor.OnLeadershipChanged(true);
            var server = await LoopbackGrpcServer.StartAsync(new LeaseService(lessor, applier, member).Register);
            return new Host(dir, server, store, lessor);
        }

        public async ValueTask DisposeAsync()
        {
            await _server.DisposeAsync();
            _lessor.Dispose();
            _store.Dispose();
            _dir.Dispose();
        }
    }
}

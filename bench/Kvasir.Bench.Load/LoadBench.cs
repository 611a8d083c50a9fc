using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Kvasir.Testing;

namespace Kvasir.Bench.Load;

/// <summary>
/// The "load" mode: the standard matrix (<see cref="Matrix"/>) through Kvasir.Client against every
/// target, row by row (each row runs against all targets before the next starts, so drift on a shared
/// machine touches them alike), with throughput, latency, the server's CPU and peak RSS, side by side
/// and as ratios to the last target. "load-etcd" also starts a real etcd on free ports as the last target.
/// </summary>
public static class LoadBench
{
    private const string Usage = """
        usage: Kvasir.Bench.Load load [--target name=host:port[,host:port...][,pid=N]]... [--start kvasir|etcd]...
                                      [--matrix put,range,watch] [--scale 1] [--row-timeout 120] [--tsv results.tsv]
               Kvasir.Bench.Load load-etcd [same options]   (adds --start etcd: a real etcd on free ports)
          --target      a server to load; pid= gives its process for CPU and peak RSS (from /proc)
          --start       starts a member on free loopback ports (kvasir from this build, etcd from /usr/bin) and loads it
          --matrix      which groups of rows to run (put, range, watch; put1 = the put row at 1/1 alone)
          --scale       multiplies every row's total (0.1 for a quick look)
          --row-timeout seconds one row may take against one target
          --tsv         appends machine-readable rows to this file
        Ratios compare each target with the last one given.
        """;

    [ModuleInitializer]
    internal static void Register()
    {
        Modes.RegisterAsync("load", args => RunAsync(args, startEtcd: false));
        Modes.RegisterAsync("load-etcd", args => RunAsync(args, startEtcd: true));
    }

    private static async Task<int> RunAsync(string[] args, bool startEtcd)
    {
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(Usage);
            return 0;
        }

        if (startEtcd && !options.Start.Contains("etcd"))
        {
            options.Start.Add("etcd");
        }

        var started = new List<IAsyncDisposable>();
        try
        {
            var targets = new List<Target>(options.Targets);
            foreach (var kind in options.Start)
            {
                targets.Add(await StartAsync(kind, started).ConfigureAwait(false));
            }

            if (targets.Count == 0)
            {
                Console.Error.WriteLine("no target: give --target or --start");
                Console.Error.WriteLine(Usage);
                return 2;
            }

            await RunMatrixAsync(targets, options).ConfigureAwait(false);
            return 0;
        }
        finally
        {
            foreach (var server in started)
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<Target> StartAsync(string kind, List<IAsyncDisposable> started)
    {
        Console.Error.WriteLine($"load: starting {kind} on free loopback ports");
        if (kind == "etcd")
        {
            var etcd = await EtcdServer.StartAsync().ConfigureAwait(false);
            started.Add(etcd);
            return new Target("etcd", [etcd.Endpoint], etcd.Pid);
        }

        var kvasir = await KvasirProcess.StartAsync().ConfigureAwait(false);
        started.Add(kvasir);
        return new Target("kvasir", [kvasir.Endpoint], kvasir.Pid);
    }

    private static async Task RunMatrixAsync(List<Target> targets, LoadOptions options)
    {
        Console.WriteLine($"load: {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, scale {options.Scale.ToString(CultureInfo.InvariantCulture)}, targets {string.Join("  ", targets)}");
        Console.WriteLine(Report.Header());
        var tsv = options.TsvPath is null ? null : new StreamWriter(options.TsvPath, append: true);
        try
        {
            if (tsv is not null && tsv.BaseStream.Position == 0)
            {
                await tsv.WriteLineAsync(Report.TsvHeader).ConfigureAwait(false);
            }

            foreach (var row in Matrix.Rows(options.Groups, options.Scale))
            {
                var results = new List<RowResult>();
                foreach (var target in targets)
                {
                    var result = await MeasureAsync(row, target, options.RowTimeout).ConfigureAwait(false);
                    results.Add(result);
                    Console.WriteLine(Report.Line(result, first: results.Count == 1));
                    if (tsv is not null)
                    {
                        await tsv.WriteLineAsync(Report.Tsv(result)).ConfigureAwait(false);
                        await tsv.FlushAsync().ConfigureAwait(false);
                    }
                }

                foreach (var line in Report.Ratios(results))
                {
                    Console.WriteLine(line);
                }
            }
        }
        finally
        {
            if (tsv is not null)
            {
                await tsv.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task<RowResult> MeasureAsync(LoadRow row, Target target, TimeSpan timeout)
    {
        using var bound = new CancellationTokenSource(timeout);
        PreparedRow prepared;
        try
        {
            prepared = await row.PrepareAsync(target, bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return new RowResult(row, target, null, "prepare: " + e.Message, null, null, 0);
        }

        await using (prepared.ConfigureAwait(false))
        {
            if (target.Pid is { } pid)
            {
                ServerStats.ResetPeak(pid);
            }

            var serverBefore = target.Pid is { } p0 ? ServerStats.CpuSeconds(p0) : null;
            var clientBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var outcome = await prepared.RunAsync(bound.Token).ConfigureAwait(false);
            var clientCpu = (Process.GetCurrentProcess().TotalProcessorTime - clientBefore).TotalSeconds;
            var serverAfter = target.Pid is { } p1 ? ServerStats.CpuSeconds(p1) : null;
            var peak = target.Pid is { } p2 ? ServerStats.PeakRssMb(p2) : null;
            return new RowResult(row, target, outcome, null, serverAfter - serverBefore, peak, clientCpu);
        }
    }
}

using System.Globalization;

namespace Kvasir.Bench.Load;

/// <summary>Prints results side by side, one line per target under each row, with the ratio of each target to the last one (the baseline).</summary>
internal static class Report
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public const string TsvHeader = "target\ttest\tconns\tclients\ttotal\tstatus\tcompleted\terrors\twall_s\tper_s\tavg_ms\tp50_ms\tp90_ms\tp99_ms\tp999_ms\tmax_ms\tsrv_cpu_s\tsrv_cpu_pct\tsrv_us_per_op\tsrv_peak_rss_mb\tclient_cpu_s";

    public static string Header() =>
        $"{"test",-13} {"conns/clients",13} {"total",9} | {"target",-8} {"status",-7} {"per s",9} {"p50 ms",8} {"p99 ms",8} {"srvCPU%",7} {"us/op",7} {"rss MB",7} {"cliCPU s",8}";

    public static string Line(RowResult r, bool first)
    {
        var o = r.Outcome;
        var row = first ? $"{r.Row.Test,-13} {$"{r.Row.Conns}/{r.Row.Clients}",13} {r.Row.Total,9}" : new string(' ', 37);
        var line = $"{row} | {r.Target.Name,-8} {r.Status,-7} {F(r.Throughput, "0"),9} {F(o?.Latency.P50 ?? double.NaN, "0.00"),8} {F(o?.Latency.P99 ?? double.NaN, "0.00"),8} {F(r.ServerCpuPercent, "0"),7} {F(r.ServerMicrosPerOp, "0.0"),7} {F(r.ServerPeakRssMb ?? double.NaN, "0"),7} {F(r.ClientCpuSeconds, "0.00"),8}";
        var why = r.Failure ?? o?.FirstError;
        return why is null ? line : $"{line}  ({Shorten(why)})";
    }

    /// <summary>"ratio a/b: per s x1.23  p50 x0.80 ..." for every target but the baseline (the last one).</summary>
    public static IEnumerable<string> Ratios(IReadOnlyList<RowResult> results)
    {
        if (results.Count < 2)
        {
            yield break;
        }

        var baseline = results[^1];
        for (var i = 0; i < results.Count - 1; i++)
        {
            var r = results[i];
            if (!r.Ok || !baseline.Ok)
            {
                yield return $"{new string(' ', 37)} | ratio {r.Target.Name}/{baseline.Target.Name}: - (a run failed)";
                continue;
            }

            yield return $"{new string(' ', 37)} | ratio {r.Target.Name}/{baseline.Target.Name}: per s x{Ratio(r.Throughput, baseline.Throughput)}  p50 x{Ratio(r.Outcome!.Latency.P50, baseline.Outcome!.Latency.P50)}  p99 x{Ratio(r.Outcome.Latency.P99, baseline.Outcome.Latency.P99)}  us/op x{Ratio(r.ServerMicrosPerOp, baseline.ServerMicrosPerOp)}  rss x{Ratio(r.ServerPeakRssMb ?? double.NaN, baseline.ServerPeakRssMb ?? double.NaN)}";
        }
    }

    public static string Tsv(RowResult r)
    {
        var o = r.Outcome;
        var l = o?.Latency ?? LatencySummary.None;
        var fields = new[]
        {
            r.Target.Name, r.Row.Test, I(r.Row.Conns), I(r.Row.Clients), I(r.Row.Total), r.Status,
            I(o?.Completed ?? 0), I(o?.Errors ?? 0), F(o?.WallSeconds ?? double.NaN, "0.000"), F(r.Throughput, "0"),
            F(l.Average, "0.000"), F(l.P50, "0.000"), F(l.P90, "0.000"), F(l.P99, "0.000"), F(l.P999, "0.000"), F(l.Max, "0.000"),
            F(r.ServerCpuSeconds ?? double.NaN, "0.00"), F(r.ServerCpuPercent, "0"), F(r.ServerMicrosPerOp, "0.0"), F(r.ServerPeakRssMb ?? double.NaN, "0"),
            F(r.ClientCpuSeconds, "0.00"),
        };
        return string.Join('\t', fields);
    }

    private static string Ratio(double a, double b) => double.IsNaN(a) || double.IsNaN(b) || b == 0 ? "-" : (a / b).ToString("0.00", Invariant);

    private static string F(double value, string format) => double.IsNaN(value) ? "-" : value.ToString(format, Invariant);

    private static string I(long value) => value.ToString(Invariant);

    private static string Shorten(string text)
    {
        var line = text.Split('\n')[0];
        return line.Length > 100 ? line[..100] + "..." : line;
    }
}

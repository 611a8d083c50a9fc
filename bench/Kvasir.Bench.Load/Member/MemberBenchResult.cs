using System.Globalization;

namespace Kvasir.Bench.Load.Member;

/// <summary>One measured row: what ran against which server, and what it achieved.</summary>
internal sealed record MemberBenchResult(string Target, string Row, int Callers, int Connections, double OpsPerSecond, double P50Ms, double P99Ms, double ServerCpuMicrosPerOp)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Target,-7} {Row,-8} {Callers,5} callers/{Connections,3} conns: {OpsPerSecond,9:0} ops/s  p50 {P50Ms,7:0.000} ms  p99 {P99Ms,7:0.000} ms  server CPU {ServerCpuMicrosPerOp,6:0.0} µs/op");

    /// <summary>A markdown table with kvasir's throughput as a ratio of etcd's on the same row.</summary>
    public static void Print(IReadOnlyList<MemberBenchResult> results, TextWriter output)
    {
        output.WriteLine("| row | callers/conns | kvasir ops/s | etcd ops/s | ratio | kvasir p50 / p99 ms | etcd p50 / p99 ms | kvasir CPU µs/op | etcd CPU µs/op |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var k in results.Where(r => r.Target == "kvasir"))
        {
            var e = results.FirstOrDefault(r => r.Target == "etcd" && r.Row == k.Row && r.Callers == k.Callers);
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {k.Row} | {k.Callers}/{k.Connections} | {k.OpsPerSecond:0} | {e?.OpsPerSecond:0} | {(e is null ? 0 : k.OpsPerSecond / e.OpsPerSecond):0.00}× | {k.P50Ms:0.00} / {k.P99Ms:0.00} | {e?.P50Ms:0.00} / {e?.P99Ms:0.00} | {k.ServerCpuMicrosPerOp:0.0} | {e?.ServerCpuMicrosPerOp:0.0} |"));
        }
    }
}

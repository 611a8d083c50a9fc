namespace Kvasir.Bench.Load;

/// <summary>Latency percentiles of a row, in milliseconds; NaN when nothing was measured.</summary>
internal readonly record struct LatencySummary(double Average, double P50, double P90, double P99, double P999, double Max)
{
    public static LatencySummary None { get; } = new(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
}

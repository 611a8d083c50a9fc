using System.Diagnostics;

namespace Kvasir.Bench.Load;

/// <summary>
/// Latency samples of one worker, in Stopwatch ticks: appended without locks by their one owner,
/// merged and sorted once the row is over.
/// </summary>
internal sealed class Latencies(int capacity)
{
    private long[] _ticks = new long[Math.Max(capacity, 16)];
    private int _count;

    public int Count => _count;

    public void Add(long ticks)
    {
        if (_count == _ticks.Length)
        {
            Array.Resize(ref _ticks, _ticks.Length * 2);
        }

        _ticks[_count++] = ticks;
    }

    /// <summary>Percentiles over every sample of every worker, in milliseconds.</summary>
    public static LatencySummary Summarize(IReadOnlyList<Latencies> workers)
    {
        var total = 0;
        foreach (var w in workers)
        {
            total += w._count;
        }

        if (total == 0)
        {
            return LatencySummary.None;
        }

        var all = new long[total];
        var at = 0;
        double sum = 0;
        foreach (var w in workers)
        {
            Array.Copy(w._ticks, 0, all, at, w._count);
            at += w._count;
        }

        Array.Sort(all);
        foreach (var t in all)
        {
            sum += t;
        }

        return new LatencySummary(
            Ms(sum / total),
            Ms(At(all, 0.50)),
            Ms(At(all, 0.90)),
            Ms(At(all, 0.99)),
            Ms(At(all, 0.999)),
            Ms(all[^1]));
    }

    private static long At(long[] sorted, double quantile) => sorted[Math.Min(sorted.Length - 1, (int)(quantile * sorted.Length))];

    private static double Ms(double ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

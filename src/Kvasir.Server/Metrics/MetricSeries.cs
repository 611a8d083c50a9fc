namespace Kvasir.Server.Metrics;

/// <summary>
/// One series of a family: a value (a counter's total or a gauge's last value) or a histogram's
/// bucket counts and sum. Updated without locks from any thread: a counter add is one
/// compare-and-swap, a histogram observation two atomic increments and one compare-and-swap. A
/// scrape may see an observation's bucket before its sum; the +Inf bucket and the count are both
/// the sum of the buckets read, so they always agree.
/// </summary>
internal sealed class MetricSeries(LabelSet labels, int bucketCount)
{
    private readonly long[] _counts = new long[bucketCount + 1];
    private long _valueBits;

    public LabelSet Labels { get; } = labels;

    public double Value => BitConverter.Int64BitsToDouble(Volatile.Read(ref _valueBits));

    public void Add(double delta)
    {
        long initial;
        long computed;
        do
        {
            initial = Volatile.Read(ref _valueBits);
            computed = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(initial) + delta);
        }
        while (Interlocked.CompareExchange(ref _valueBits, computed, initial) != initial);
    }

    public void Set(double value) => Interlocked.Exchange(ref _valueBits, BitConverter.DoubleToInt64Bits(value));

    /// <summary>Counts <paramref name="value"/> in the first bucket whose upper bound it does not exceed (the last slot is +Inf).</summary>
    public void Observe(double value, double[] bounds)
    {
        var slot = 0;
        while (slot < bounds.Length && value > bounds[slot])
        {
            slot++;
        }

        Interlocked.Increment(ref _counts[slot]);
        Add(value);
    }

    /// <summary>The bucket counts (not cumulative), the last one above every bound.</summary>
    public long[] Counts()
    {
        var copy = new long[_counts.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = Volatile.Read(ref _counts[i]);
        }

        return copy;
    }
}

namespace Kvasir.Bench.Load.Lease;

/// <summary>The system clock, whose monotonic reading can be moved forward (timers still run in real time): expires leases on demand.</summary>
internal sealed class SkewedClock : TimeProvider
{
    private long _skew;

    public override long TimestampFrequency => System.TimestampFrequency;

    public override long GetTimestamp() => System.GetTimestamp() + Volatile.Read(ref _skew);

    public void Jump(TimeSpan by) => Interlocked.Add(ref _skew, (long)(by.TotalSeconds * TimestampFrequency));
}

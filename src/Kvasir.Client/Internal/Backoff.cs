namespace Kvasir.Client.Internal;

/// <summary>
/// Reconnect delays: exponential from <see cref="Initial"/> to <see cref="Max"/>, each with ±20 %
/// jitter so that many clients cut off together do not come back together. Not thread-safe: one
/// loop owns it.
/// </summary>
internal sealed class Backoff(Random random)
{
    public static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(50);
    public static readonly TimeSpan Max = TimeSpan.FromSeconds(2);

    private TimeSpan _next = Initial;

    /// <summary>The delay before the next attempt; each call doubles the following one up to <see cref="Max"/>.</summary>
    public TimeSpan Next()
    {
        var current = _next;
        _next = current * 2 > Max ? Max : current * 2;
        var jitter = 0.8 + (0.4 * random.NextDouble());
        return current * jitter;
    }

    /// <summary>Starts over after a success.</summary>
    public void Reset() => _next = Initial;
}

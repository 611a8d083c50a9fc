namespace Kvasir.Testing;

/// <summary>How the timers of a <see cref="ManualTimeProvider"/> fire when the test advances it.</summary>
/// <param name="OnThreadPool">Fire on the thread pool, as real timers do, instead of inside <see cref="ManualTimeProvider.Advance"/>.</param>
/// <param name="EveryMissedPeriod">A periodic timer fires once for each period the advance passed, in due order
/// (the clock standing at each due time), instead of once in all.</param>
public readonly record struct ManualTimerOptions(bool OnThreadPool = false, bool EveryMissedPeriod = false)
{
    /// <summary>Fires on the caller's thread, each missed period once in due order: the most deterministic choice.</summary>
    public static ManualTimerOptions StepByStep => new(OnThreadPool: false, EveryMissedPeriod: true);

    /// <summary>Fires on the thread pool, once per advance: the closest to a real, busy timer.</summary>
    public static ManualTimerOptions LikeRealTimers => new(OnThreadPool: true, EveryMissedPeriod: false);
}

namespace Kvasir.Server.Tests.Support;

/// <summary>
/// A clock that moves only when the test says so: wall time and timestamps both follow it, and
/// timers (one-shot and periodic) that come due in <see cref="Advance"/> fire on the thread pool,
/// as real timers do, so a callback that waits on a lock never holds up the test.
/// </summary>
internal sealed class ManualClock : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private readonly Lock _gate = new();
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock on by <paramref name="by"/> and fires every timer that came due, once.</summary>
    public void Advance(TimeSpan by)
    {
        var due = new List<ManualTimer>();
        lock (_gate)
        {
            _now += by;
            foreach (var t in _timers)
            {
                // A periodic timer fires once however many periods passed, as a busy real timer would.
                if (t.DueAt is { } at && at <= _now)
                {
                    due.Add(t);
                    t.DueAt = t.Period > TimeSpan.Zero ? at + (t.Period * (Math.Floor((_now - at) / t.Period) + 1)) : null;
                }
            }
        }

        foreach (var t in due)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static t => t.Fire(), t, preferLocal: false);
        }
    }

    private sealed class ManualTimer(ManualClock owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}

namespace Kvasir.Testing;

/// <summary>
/// A clock that moves only when the test says so. Wall time and the monotonic timestamp move
/// together (one tick of the timestamp is one <see cref="TimeSpan"/> tick); timers created from it
/// (directly, or through <c>Task.Delay</c> and <c>PeriodicTimer</c> with this provider) come due
/// only inside <see cref="Advance"/>.
/// </summary>
/// <remarks>
/// How due timers fire is the test's choice (<see cref="ManualTimerOptions"/>): on the caller's
/// thread or on the thread pool (as real timers do, so a callback that waits on a lock the test
/// holds never deadlocks it), and, for a periodic timer that missed several periods in one
/// advance, once for each period in due order or once in all (as a busy real timer does).
/// Callbacks always run outside the clock's lock.
/// </remarks>
public sealed class ManualTimeProvider(ManualTimerOptions options = default) : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<ManualTimer> _timers = [];
    private readonly Lock _gate = new();
    private long _ticks;

    /// <summary>How this clock's timers fire.</summary>
    public ManualTimerOptions Options { get; } = options;

    /// <inheritdoc/>
    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <inheritdoc/>
    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _ticks;
        }
    }

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(GetTimestamp());

    /// <inheritdoc/>
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

    /// <summary>Moves the clock on by <paramref name="by"/>, firing the timers that came due.</summary>
    public void Advance(TimeSpan by)
    {
        if (Options.EveryMissedPeriod)
        {
            AdvanceStepByStep(by);
        }
        else
        {
            AdvanceAtOnce(by);
        }
    }

    // Each due firing in due order, the clock standing at the firing's due time while it runs.
    private void AdvanceStepByStep(TimeSpan by)
    {
        long end;
        lock (_gate)
        {
            end = _ticks + by.Ticks;
        }

        while (true)
        {
            ManualTimer? next = null;
            lock (_gate)
            {
                foreach (var t in _timers)
                {
                    if (t.DueAt is { } at && at <= end && (next is null || at < next.DueAt))
                    {
                        next = t;
                    }
                }

                if (next is null)
                {
                    _ticks = end;
                    return;
                }

                _ticks = next.DueAt!.Value;
                next.DueAt = next.Period > 0 ? _ticks + next.Period : null;
            }

            Dispatch(next);
        }
    }

    // The clock jumps to the end; every due timer fires once and a periodic one keeps its phase.
    private void AdvanceAtOnce(TimeSpan by)
    {
        List<ManualTimer> due = [];
        lock (_gate)
        {
            _ticks += by.Ticks;
            foreach (var t in _timers)
            {
                if (t.DueAt is { } at && at <= _ticks)
                {
                    due.Add(t);
                    t.DueAt = t.Period > 0 ? at + (t.Period * (((_ticks - at) / t.Period) + 1)) : null;
                }
            }
        }

        foreach (var t in due)
        {
            Dispatch(t);
        }
    }

    private void Dispatch(ManualTimer timer)
    {
        if (Options.OnThreadPool)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static t => t.Fire(), timer, preferLocal: false);
        }
        else
        {
            timer.Fire();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long? DueAt { get; set; }

        public long Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner._ticks + dueTime.Ticks;
                Period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
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

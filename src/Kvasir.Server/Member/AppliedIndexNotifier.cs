namespace Kvasir.Server.Member;

/// <summary>
/// Publishes the applied index and wakes whoever waits for it to reach a given index (a
/// linearizable read waits until applied ≥ its read index). The applier publishes after each batch
/// and never waits here: completions run their continuations asynchronously. Waiters for the same
/// index share one task.
/// </summary>
internal sealed class AppliedIndexNotifier
{
    private readonly Lock _gate = new();
    private readonly List<(ulong Index, TaskCompletionSource Done)> _waiting = [];
    private ulong _applied;
    private ulong _lowestWaiting = ulong.MaxValue;

    public AppliedIndexNotifier(ulong applied)
    {
        _applied = applied;
    }

    /// <summary>The index of the last entry applied.</summary>
    public ulong Applied => Volatile.Read(ref _applied);

    /// <summary>Completes once the applied index is at least <paramref name="index"/>.</summary>
    public Task WaitAsync(ulong index)
    {
        if (Applied >= index)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            if (Applied >= index)
            {
                return Task.CompletedTask;
            }

            foreach (var (i, done) in _waiting)
            {
                if (i == index)
                {
                    return done.Task;
                }
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((index, waiter));
            if (index < _lowestWaiting)
            {
                Volatile.Write(ref _lowestWaiting, index);
            }

            return waiter.Task;
        }
    }

    /// <summary>Called by the applier: everything up to <paramref name="applied"/> is applied.</summary>
    public void Publish(ulong applied)
    {
        Volatile.Write(ref _applied, applied);
        if (applied < Volatile.Read(ref _lowestWaiting))
        {
            return;
        }

        lock (_gate)
        {
            var lowest = ulong.MaxValue;
            for (var i = _waiting.Count - 1; i >= 0; i--)
            {
                var (index, done) = _waiting[i];
                if (index <= applied)
                {
                    done.TrySetResult();
                    _waiting.RemoveAt(i);
                }
                else if (index < lowest)
                {
                    lowest = index;
                }
            }

            Volatile.Write(ref _lowestWaiting, lowest);
        }
    }

    /// <summary>Fails every waiter (the member stops).</summary>
    public void FailAll(Exception error)
    {
        lock (_gate)
        {
            foreach (var (_, done) in _waiting)
            {
                done.TrySetException(error);
            }

            _waiting.Clear();
            Volatile.Write(ref _lowestWaiting, ulong.MaxValue);
        }
    }
}

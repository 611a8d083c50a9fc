namespace Kvasir.Server.Member;

/// <summary>
/// The wait registry: request id → the proposal waiting for it (etcd's wait.Wait), with each
/// proposal's deadline. The proposer registers before proposing; the applier triggers by id when
/// it applies the entry; a sweep on every tick fails what passed its deadline; stopping fails
/// everything left. Each waiter completes exactly once and is removed when it does. Sharded by id,
/// so proposers and the applier rarely meet on one lock.
/// </summary>
internal sealed class WaitRegistry
{
    private const int ShardCount = 32;

    private readonly Shard[] _shards = new Shard[ShardCount];
    private int _count;

    public WaitRegistry()
    {
        for (var i = 0; i < _shards.Length; i++)
        {
            _shards[i] = new Shard();
        }
    }

    /// <summary>Proposals waiting now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Registers <paramref name="id"/>; an id already registered throws (ids never repeat).</summary>
    public Waiter Register(ulong id, long deadline)
    {
        var waiter = new Waiter(id, deadline);
        var shard = ShardOf(id);
        lock (shard.Gate)
        {
            if (!shard.Waiting.TryAdd(id, waiter))
            {
                throw new InvalidOperationException($"request id {id:x} is already waiting: ids must never repeat");
            }
        }

        Interlocked.Increment(ref _count);
        return waiter;
    }

    /// <summary>Completes the waiter of <paramref name="id"/> with <paramref name="result"/>; false when nobody waits (another member's proposal, a replay, a timed-out one).</summary>
    public bool Trigger(ulong id, AppliedResult result)
    {
        var waiter = Remove(id);
        return waiter is not null && waiter.TrySetResult(result);
    }

    /// <summary>Fails the waiter of <paramref name="id"/>, if any.</summary>
    public bool Fail(ulong id, Exception error)
    {
        var waiter = Remove(id);
        return waiter is not null && waiter.TrySetException(error);
    }

    /// <summary>Forgets <paramref name="id"/> without completing it (its caller stopped waiting).</summary>
    public void Forget(ulong id) => Remove(id);

    /// <summary>Fails every waiter whose deadline is at or before <paramref name="now"/> with <paramref name="error"/>; returns how many.</summary>
    public int ExpireDue(long now, Func<Exception> error)
    {
        List<Waiter>? due = null;
        var expired = 0;
        foreach (var shard in _shards)
        {
            lock (shard.Gate)
            {
                foreach (var waiter in shard.Waiting.Values)
                {
                    if (waiter.Deadline <= now)
                    {
                        (due ??= []).Add(waiter);
                    }
                }

                if (due is not null)
                {
                    foreach (var waiter in due)
                    {
                        shard.Waiting.Remove(waiter.Id);
                    }
                }
            }

            if (due is not null)
            {
                foreach (var waiter in due)
                {
                    Interlocked.Decrement(ref _count);
                    waiter.TrySetException(error());
                }

                expired += due.Count;
                due.Clear();
            }
        }

        return expired;
    }

    /// <summary>Fails every waiter (the member is stopping).</summary>
    public void FailAll(Exception error)
    {
        foreach (var shard in _shards)
        {
            Waiter[] all;
            lock (shard.Gate)
            {
                all = [.. shard.Waiting.Values];
                shard.Waiting.Clear();
            }

            foreach (var waiter in all)
            {
                Interlocked.Decrement(ref _count);
                waiter.TrySetException(error);
            }
        }
    }

    private Waiter? Remove(ulong id)
    {
        var shard = ShardOf(id);
        Waiter? waiter;
        lock (shard.Gate)
        {
            if (!shard.Waiting.Remove(id, out waiter))
            {
                return null;
            }
        }

        Interlocked.Decrement(ref _count);
        return waiter;
    }

    // Ids count up from one generator, so their low bits spread evenly over the shards.
    private Shard ShardOf(ulong id) => _shards[(int)(id % ShardCount)];

    private sealed class Shard
    {
        public readonly Lock Gate = new();
        public readonly Dictionary<ulong, Waiter> Waiting = [];
    }
}

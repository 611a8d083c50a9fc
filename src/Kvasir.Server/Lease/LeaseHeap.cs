namespace Kvasir.Server.Lease;

/// <summary>
/// A min-heap of leases by due time that knows where each lease is (etcd's LeaseExpiredNotifier and
/// LeaseQueue): a lease is in it at most once, and moving its due time is O(log n), so a lease renewed
/// a million times still has one entry. Which of the lease's slots it uses is fixed at construction.
/// Not thread-safe: the lessor calls it under its lock.
/// </summary>
internal sealed class LeaseHeap
{
    private readonly bool _checkpoints;
    private Lease[] _items = new Lease[16];
    private int _count;

    /// <param name="checkpoints">True for the checkpoint queue (the lease's CheckpointSlot), false for the expiry queue.</param>
    public LeaseHeap(bool checkpoints)
    {
        _checkpoints = checkpoints;
    }

    public int Count => _count;

    /// <summary>The lease due first; the heap must not be empty.</summary>
    public Lease Peek() => _count > 0 ? _items[0] : throw new InvalidOperationException("the lease heap is empty");

    public bool Contains(Lease lease) => Slot(lease).Index >= 0;

    /// <summary>The due time of <paramref name="lease"/> in this heap; it must be in it.</summary>
    public long DueOf(Lease lease) => Slot(lease).Due;

    /// <summary>Adds <paramref name="lease"/> due at <paramref name="due"/>, or moves it there when it is already in.</summary>
    public void Set(Lease lease, long due)
    {
        ref var slot = ref Slot(lease);
        if (slot.Index < 0)
        {
            if (_count == _items.Length)
            {
                Array.Resize(ref _items, _count * 2);
            }

            slot.Due = due;
            slot.Index = _count;
            _items[_count++] = lease;
            Up(slot.Index);
            return;
        }

        var earlier = due < slot.Due;
        slot.Due = due;
        if (earlier)
        {
            Up(slot.Index);
        }
        else
        {
            Down(slot.Index);
        }
    }

    /// <summary>Adds <paramref name="lease"/> at <paramref name="due"/> unless it is already in (then its earlier due time stays).</summary>
    public void AddIfAbsent(Lease lease, long due)
    {
        if (Slot(lease).Index < 0)
        {
            Set(lease, due);
        }
    }

    /// <summary>Removes <paramref name="lease"/>; nothing when it is not in.</summary>
    public void Remove(Lease lease)
    {
        ref var slot = ref Slot(lease);
        var i = slot.Index;
        if (i < 0)
        {
            return;
        }

        slot.Index = -1;
        _count--;
        if (i == _count)
        {
            _items[_count] = null!;
            return;
        }

        var last = _items[_count];
        _items[_count] = null!;
        _items[i] = last;
        Slot(last).Index = i;
        Up(i);
        Down(Slot(last).Index);
    }

    /// <summary>Removes every lease (their slots say so).</summary>
    public void Clear()
    {
        for (var i = 0; i < _count; i++)
        {
            Slot(_items[i]).Index = -1;
            _items[i] = null!;
        }

        _count = 0;
    }

    private ref LeaseHeapSlot Slot(Lease lease) => ref _checkpoints ? ref lease.CheckpointSlot : ref lease.ExpirySlot;

    private bool Less(int a, int b)
    {
        var da = Slot(_items[a]).Due;
        var db = Slot(_items[b]).Due;
        return da < db || (da == db && _items[a].Id < _items[b].Id);
    }

    private void Swap(int a, int b)
    {
        (_items[a], _items[b]) = (_items[b], _items[a]);
        Slot(_items[a]).Index = a;
        Slot(_items[b]).Index = b;
    }

    private void Up(int i)
    {
        while (i > 0)
        {
            var parent = (i - 1) / 2;
            if (!Less(i, parent))
            {
                return;
            }

            Swap(i, parent);
            i = parent;
        }
    }

    private void Down(int i)
    {
        while (true)
        {
            var left = (2 * i) + 1;
            if (left >= _count)
            {
                return;
            }

            var smallest = left + 1 < _count && Less(left + 1, left) ? left + 1 : left;
            if (!Less(smallest, i))
            {
                return;
            }

            Swap(i, smallest);
            i = smallest;
        }
    }
}

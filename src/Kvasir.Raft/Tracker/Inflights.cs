namespace Kvasir.Raft.Tracker;

/// <summary>
/// The append messages sent to one follower and not yet acknowledged, as a ring of (last index,
/// bytes) pairs in send order. Full when it holds MaxInflightMsgs messages or MaxInflightBytes
/// bytes; the leader then stops streaming to that follower until acknowledgements free slots.
/// </summary>
internal sealed class Inflights
{
    private readonly int _size;
    private readonly ulong _maxBytes;
    private ulong[] _index = [];
    private ulong[] _bytes = [];
    private int _start;

    public Inflights(int size, ulong maxBytes)
    {
        _size = size;
        _maxBytes = maxBytes;
    }

    /// <summary>The number of messages in flight.</summary>
    public int Count { get; private set; }

    /// <summary>The entry bytes in flight.</summary>
    public ulong Bytes { get; private set; }

    /// <summary>Whether no more messages may be sent.</summary>
    public bool Full => Count == _size || (_maxBytes != 0 && Bytes >= _maxBytes);

    /// <summary>Records a message whose last entry is <paramref name="index"/>. Indexes must grow; adding to a full window is a bug.</summary>
    public void Add(ulong index, ulong bytes)
    {
        if (Full)
        {
            throw new InvalidOperationException("cannot add to a full inflights window");
        }

        var next = _start + Count;
        if (next >= _size)
        {
            next -= _size;
        }

        if (next >= _index.Length)
        {
            Grow();
        }

        _index[next] = index;
        _bytes[next] = bytes;
        Count++;
        Bytes += bytes;
    }

    /// <summary>Frees every message whose last index is at most <paramref name="to"/> (they were acknowledged).</summary>
    public void FreeLE(ulong to)
    {
        if (Count == 0 || to < _index[_start])
        {
            return;
        }

        var idx = _start;
        int i;
        ulong bytes = 0;
        for (i = 0; i < Count; i++)
        {
            if (to < _index[idx])
            {
                break;
            }

            bytes += _bytes[idx];
            if (++idx >= _size)
            {
                idx -= _size;
            }
        }

        Count -= i;
        Bytes -= bytes;
        _start = Count == 0 ? 0 : idx;
    }

    /// <summary>Forgets every message in flight.</summary>
    public void Reset()
    {
        Count = 0;
        Bytes = 0;
        _start = 0;
    }

    // Doubles the ring up to its bound. Only called while the ring has not wrapped (next == length).
    private void Grow()
    {
        var n = _index.Length == 0 ? Math.Min(4, _size) : Math.Min(_index.Length * 2, _size);
        Array.Resize(ref _index, n);
        Array.Resize(ref _bytes, n);
    }
}

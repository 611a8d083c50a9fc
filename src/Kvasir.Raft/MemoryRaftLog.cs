namespace Kvasir.Raft;

/// <summary>
/// The Raft log in memory: the latest snapshot and the entries after it, as etcd's MemoryStorage.
/// The member keeps here what the WAL holds since the last snapshot, so reads never touch disk.
/// </summary>
/// <remarks>
/// <para>
/// Layout: entries live in one array, from <c>_start</c> for <c>_count</c> slots; the entry at
/// <c>_start</c> has index <c>_snapIndex + 1</c>. Compaction moves <c>_start</c> forward (amortised
/// O(1)); the array is shifted or grown only when an append reaches its end. Term lookups and range
/// reads are O(1) and O(n) in the entries returned.
/// </para>
/// <para>
/// Thread safety: every member takes one lock, so the Raft loop may read and append while another
/// thread (a snapshotter) compacts. Entries handed out are shared, not copied: nobody may change an
/// entry after appending it.
/// </para>
/// </remarks>
public sealed partial class MemoryRaftLog : IRaftLog
{
    private readonly Lock _lock = new();
    private HardState _hardState = new();
    private Snapshot _snapshot = new() { Metadata = new SnapshotMetadata { ConfState = new ConfState() } };

    // Index and term of the entry just before the first retained one: the snapshot's.
    private ulong _snapIndex;
    private ulong _snapTerm;

    private Entry[] _buf = new Entry[64];
    private int _start;
    private int _count;

    /// <summary>An empty log: no snapshot, no entries, an empty configuration. Raft's Bootstrap fills a new cluster's.</summary>
    public MemoryRaftLog()
    {
    }

    /// <summary>
    /// An empty log whose configuration is <paramref name="confState"/>, as if a snapshot at index 0
    /// had installed it: the way tests and simulations start a cluster without bootstrap entries.
    /// </summary>
    public MemoryRaftLog(ConfState confState)
    {
        ArgumentNullException.ThrowIfNull(confState);
        _snapshot.Metadata.ConfState = confState.Clone();
    }

    /// <summary>The number of entries held (after the snapshot).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <inheritdoc/>
    public RaftInitialState InitialState()
    {
        lock (_lock)
        {
            return new RaftInitialState(_hardState.Clone(), (_snapshot.Metadata.ConfState ?? new ConfState()).Clone());
        }
    }

    /// <summary>The HardState last set; Raft reads it at start through <see cref="InitialState"/>.</summary>
    public HardState HardState
    {
        get
        {
            lock (_lock)
            {
                return _hardState.Clone();
            }
        }
    }

    /// <summary>Records the HardState from a Ready (after it is durable elsewhere, for the member).</summary>
    public void SetHardState(HardState hardState)
    {
        ArgumentNullException.ThrowIfNull(hardState);
        lock (_lock)
        {
            _hardState = hardState.Clone();
        }
    }

    /// <inheritdoc/>
    public ulong FirstIndex()
    {
        lock (_lock)
        {
            return _snapIndex + 1;
        }
    }

    /// <inheritdoc/>
    public ulong LastIndex()
    {
        lock (_lock)
        {
            return _snapIndex + (ulong)_count;
        }
    }

    /// <inheritdoc/>
    public RaftLogStatus Term(ulong index, out ulong term)
    {
        lock (_lock)
        {
            if (index < _snapIndex)
            {
                term = 0;
                return RaftLogStatus.Compacted;
            }

            if (index == _snapIndex)
            {
                term = _snapTerm;
                return RaftLogStatus.Ok;
            }

            if (index - _snapIndex > (ulong)_count)
            {
                term = 0;
                return RaftLogStatus.Unavailable;
            }

            term = _buf[_start + (int)(index - _snapIndex - 1)].Term;
            return RaftLogStatus.Ok;
        }
    }

    /// <inheritdoc/>
    public RaftLogStatus Entries(ulong lo, ulong hi, ulong maxSize, List<Entry> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (lo > hi)
        {
            throw new ArgumentOutOfRangeException(nameof(lo), $"entries [{lo}, {hi}) is an inverted range");
        }

        lock (_lock)
        {
            if (lo <= _snapIndex)
            {
                return RaftLogStatus.Compacted;
            }

            var last = _snapIndex + (ulong)_count;
            if (hi > last + 1)
            {
                throw new ArgumentOutOfRangeException(nameof(hi), $"entries [{lo}, {hi}) reach past the last index {last}");
            }

            if (lo == hi)
            {
                return RaftLogStatus.Ok;
            }

            if (_count == 0)
            {
                return RaftLogStatus.Unavailable;
            }

            var from = _start + (int)(lo - _snapIndex - 1);
            var n = (int)(hi - lo);
            if (maxSize == RaftConfig.NoLimit)
            {
                for (var i = 0; i < n; i++)
                {
                    into.Add(_buf[from + i]);
                }

                return RaftLogStatus.Ok;
            }

            ulong size = 0;
            for (var i = 0; i < n; i++)
            {
                var e = _buf[from + i];
                size += (ulong)e.CalculateSize();
                if (i > 0 && size > maxSize)
                {
                    break;
                }

                into.Add(e);
            }

            return RaftLogStatus.Ok;
        }
    }

    /// <inheritdoc/>
    public RaftLogStatus Snapshot(out Snapshot snapshot)
    {
        lock (_lock)
        {
            snapshot = _snapshot;
            return RaftLogStatus.Ok;
        }
    }

    /// <summary>
    /// Appends entries from a Ready. They must be consecutive; the first may overlap the log (a
    /// follower replacing a conflicting tail) but may not leave a gap after the last entry. Entries
    /// at or before the snapshot are skipped. A bad batch throws <see cref="ArgumentException"/> and
    /// changes nothing.
    /// </summary>
    public void Append(IReadOnlyList<Entry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return;
        }

        var first = entries[0].Index;
        for (var i = 1; i < entries.Count; i++)
        {
            if (entries[i].Index != first + (ulong)i)
            {
                throw new ArgumentException($"entries are not consecutive: index {entries[i].Index} follows {entries[i - 1].Index}", nameof(entries));
            }
        }

        lock (_lock)
        {
            var last = first + (ulong)entries.Count - 1;
            if (last <= _snapIndex)
            {
                return;
            }

            var lastIndex = _snapIndex + (ulong)_count;
            if (first > lastIndex + 1)
            {
                throw new ArgumentException($"appending at {first} would leave a gap after the last index {lastIndex}", nameof(entries));
            }

            var skip = first <= _snapIndex ? (int)(_snapIndex + 1 - first) : 0;
            var keep = (int)(first + (ulong)skip - _snapIndex - 1);
            var adding = entries.Count - skip;

            // Drop the replaced tail, then make room for the new entries.
            for (var i = keep; i < _count; i++)
            {
                _buf[_start + i] = null!;
            }

            _count = keep;
            EnsureRoom(adding);
            for (var i = 0; i < adding; i++)
            {
                _buf[_start + _count + i] = entries[skip + i];
            }

            _count += adding;
        }
    }

    /// <summary>
    /// Drops the entries before <paramref name="compactIndex"/>; that entry's index and term are kept
    /// as the new start (FirstIndex becomes compactIndex + 1). Returns
    /// <see cref="RaftLogStatus.Compacted"/> when it is already compacted; an index after the last
    /// entry throws <see cref="ArgumentOutOfRangeException"/>. The caller keeps a snapshot at or
    /// after compactIndex (see <see cref="CreateSnapshot"/>) so lagging followers can catch up.
    /// </summary>
    public RaftLogStatus Compact(ulong compactIndex)
    {
        lock (_lock)
        {
            if (compactIndex <= _snapIndex)
            {
                return RaftLogStatus.Compacted;
            }

            var last = _snapIndex + (ulong)_count;
            if (compactIndex > last)
            {
                throw new ArgumentOutOfRangeException(nameof(compactIndex), $"compact {compactIndex} is past the last index {last}");
            }

            var drop = (int)(compactIndex - _snapIndex);
            _snapTerm = _buf[_start + drop - 1].Term;
            _snapIndex = compactIndex;
            for (var i = 0; i < drop; i++)
            {
                _buf[_start + i] = null!;
            }

            _start += drop;
            _count -= drop;
            if (_count == 0)
            {
                _start = 0;
            }

            return RaftLogStatus.Ok;
        }
    }

    // Makes room for `adding` more entries after the current ones: shifts them to the front when
    // the array has enough free slots overall, else doubles it. Caller holds the lock.
    private void EnsureRoom(int adding)
    {
        var needed = _count + adding;
        if (_start + needed <= _buf.Length)
        {
            return;
        }

        if (needed <= _buf.Length / 2 || (needed <= _buf.Length && _start >= _buf.Length / 2))
        {
            Array.Copy(_buf, _start, _buf, 0, _count);
            Array.Clear(_buf, _count, _start);
            _start = 0;
            return;
        }

        var size = _buf.Length;
        while (size < needed)
        {
            size *= 2;
        }

        var grown = new Entry[size];
        Array.Copy(_buf, _start, grown, 0, _count);
        _buf = grown;
        _start = 0;
    }
}

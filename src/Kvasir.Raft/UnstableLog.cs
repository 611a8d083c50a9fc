namespace Kvasir.Raft;

/// <summary>
/// The part of the log not yet known to be durable: entries appended since the last Ready was
/// acknowledged, and possibly an incoming snapshot. Entries run from <see cref="Offset"/> on;
/// those before <see cref="OffsetInProgress"/> were handed out in a Ready whose Advance has not
/// come yet.
/// </summary>
/// <remarks>
/// Invariants: when a snapshot is held, Offset = snapshot index + 1; Offset ≤ OffsetInProgress ≤
/// Offset + Count. Entries here override the storage's at the same index: a follower may replace
/// a tail the storage still holds, and reads must see the replacement.
/// </remarks>
internal sealed class UnstableLog
{
    private readonly List<Entry> _entries = [];
    private readonly IRaftLogger _logger;

    public UnstableLog(ulong offset, IRaftLogger logger)
    {
        Offset = offset;
        OffsetInProgress = offset;
        _logger = logger;
    }

    /// <summary>The incoming snapshot, until it is durable; null when none.</summary>
    public Snapshot? Snapshot { get; private set; }

    /// <summary>Whether the snapshot was handed out in a Ready that is not yet acknowledged.</summary>
    public bool SnapshotInProgress { get; private set; }

    /// <summary>The index of the first unstable entry.</summary>
    public ulong Offset { get; private set; }

    /// <summary>The index of the first entry not yet handed out in a Ready.</summary>
    public ulong OffsetInProgress { get; private set; }

    public int Count => _entries.Count;

    public bool TryFirstIndex(out ulong index)
    {
        if (Snapshot is not null)
        {
            index = Snapshot.Metadata.Index + 1;
            return true;
        }

        index = 0;
        return false;
    }

    public bool TryLastIndex(out ulong index)
    {
        if (_entries.Count > 0)
        {
            index = Offset + (ulong)_entries.Count - 1;
            return true;
        }

        if (Snapshot is not null)
        {
            index = Snapshot.Metadata.Index;
            return true;
        }

        index = 0;
        return false;
    }

    /// <summary>The term at <paramref name="i"/> when this log knows it (an unstable entry, or the snapshot's own index).</summary>
    public bool TryTerm(ulong i, out ulong term)
    {
        if (i < Offset)
        {
            if (Snapshot is not null && Snapshot.Metadata.Index == i)
            {
                term = Snapshot.Metadata.Term;
                return true;
            }

            term = 0;
            return false;
        }

        var at = i - Offset;
        if (at >= (ulong)_entries.Count)
        {
            term = 0;
            return false;
        }

        term = _entries[(int)at].Term;
        return true;
    }

    /// <summary>The entry at <paramref name="i"/>; Offset ≤ i ≤ last.</summary>
    public Entry At(ulong i) => _entries[(int)(i - Offset)];

    /// <summary>Whether entries remain that no Ready has handed out.</summary>
    public bool HasNextEntries => OffsetInProgress < Offset + (ulong)_entries.Count;

    /// <summary>The entries no Ready has handed out yet, as a new array.</summary>
    public Entry[] NextEntries()
    {
        var from = (int)(OffsetInProgress - Offset);
        var n = _entries.Count - from;
        if (n <= 0)
        {
            return [];
        }

        var result = new Entry[n];
        _entries.CopyTo(from, result, 0, n);
        return result;
    }

    /// <summary>The snapshot when it has not been handed out yet.</summary>
    public Snapshot? NextSnapshot => Snapshot is null || SnapshotInProgress ? null : Snapshot;

    /// <summary>Marks everything held as handed out in the Ready being built.</summary>
    public void AcceptInProgress()
    {
        if (_entries.Count > 0)
        {
            OffsetInProgress = Offset + (ulong)_entries.Count;
        }

        if (Snapshot is not null)
        {
            SnapshotInProgress = true;
        }
    }

    /// <summary>
    /// The entries up to (index, term) are durable: drop them. Ignored when that entry is no longer
    /// here with that term (a newer leader replaced it after it was handed out; the replacement
    /// still has to be persisted).
    /// </summary>
    public void StableTo(ulong index, ulong term)
    {
        if (!TryTerm(index, out var have))
        {
            return;
        }

        if (index < Offset)
        {
            // It matched the snapshot, which StableSnapTo handles.
            return;
        }

        if (have != term)
        {
            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                _logger.Log(RaftLogLevel.Info, $"entry at {index} was persisted with term {term} but the unstable log now has term {have}; keeping it unstable");
            }

            return;
        }

        var n = (int)(index + 1 - Offset);
        _entries.RemoveRange(0, n);
        Offset = index + 1;
        OffsetInProgress = Math.Max(OffsetInProgress, Offset);
    }

    /// <summary>The snapshot at <paramref name="index"/> is durable: forget it.</summary>
    public void StableSnapTo(ulong index)
    {
        if (Snapshot is not null && Snapshot.Metadata.Index == index)
        {
            Snapshot = null;
            SnapshotInProgress = false;
        }
    }

    /// <summary>Replaces everything with an incoming snapshot.</summary>
    public void Restore(Snapshot snapshot)
    {
        Offset = snapshot.Metadata.Index + 1;
        OffsetInProgress = Offset;
        _entries.Clear();
        Snapshot = snapshot;
        SnapshotInProgress = false;
    }

    /// <summary>
    /// Appends consecutive entries; the first may fall inside what is held (or before it), in
    /// which case everything from its index on is replaced.
    /// </summary>
    public void TruncateAndAppend(IReadOnlyList<Entry> entries, int from)
    {
        var first = entries[from].Index;
        var end = Offset + (ulong)_entries.Count;
        if (first == end)
        {
            // The common case: straight after the last entry.
        }
        else if (first <= Offset)
        {
            // Everything held is replaced; the storage's entries from `first` on are shadowed.
            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                _logger.Log(RaftLogLevel.Info, $"replacing the unstable entries from index {first}");
            }

            _entries.Clear();
            Offset = first;
            OffsetInProgress = first;
        }
        else
        {
            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                _logger.Log(RaftLogLevel.Info, $"truncating the unstable entries before index {first}");
            }

            _entries.RemoveRange((int)(first - Offset), (int)(end - first));
            OffsetInProgress = Math.Min(OffsetInProgress, first);
        }

        for (var i = from; i < entries.Count; i++)
        {
            _entries.Add(entries[i]);
        }
    }

    /// <summary>Appends the entries [lo, hi) to <paramref name="into"/>; Offset ≤ lo ≤ hi ≤ last + 1.</summary>
    public void Slice(ulong lo, ulong hi, List<Entry> into)
    {
        if (lo < Offset || hi > Offset + (ulong)_entries.Count || lo > hi)
        {
            throw new InvalidOperationException($"unstable slice [{lo}, {hi}) is out of bounds [{Offset}, {Offset + (ulong)_entries.Count}]");
        }

        for (var i = lo; i < hi; i++)
        {
            into.Add(_entries[(int)(i - Offset)]);
        }
    }
}

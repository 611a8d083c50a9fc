namespace Kvasir.Raft;

// Reading ranges of entries across the storage and the unstable tail, within a byte budget.
internal sealed partial class RaftLog
{
    private readonly List<Entry> _scratch = [];

    /// <summary>The encoded size of an entry, the unit of MaxSizePerMsg and MaxCommittedSizePerReady.</summary>
    public static ulong EntrySize(Entry e) => (ulong)e.CalculateSize();

    /// <summary>
    /// Appends the entries from <paramref name="lo"/> to the end of the log to <paramref name="into"/>,
    /// within <paramref name="maxSize"/> bytes (at least one entry). Compacted when lo is.
    /// </summary>
    public RaftLogStatus Entries(ulong lo, ulong maxSize, List<Entry> into)
    {
        var last = LastIndex();
        return lo > last ? RaftLogStatus.Ok : Slice(lo, last + 1, maxSize, into);
    }

    /// <summary>
    /// Appends the entries [lo, hi) to <paramref name="into"/>, stopping before the entry that
    /// would take their total encoded size past <paramref name="maxSize"/> (at least one is taken).
    /// Compacted when lo is before the first index; hi past the last index + 1 is a bug.
    /// </summary>
    public RaftLogStatus Slice(ulong lo, ulong hi, ulong maxSize, List<Entry> into)
    {
        if (lo > hi)
        {
            throw new InvalidOperationException($"invalid slice {lo} > {hi}");
        }

        var first = FirstIndex();
        if (lo < first)
        {
            return RaftLogStatus.Compacted;
        }

        var last = LastIndex();
        if (hi > last + 1)
        {
            throw new InvalidOperationException($"slice [{lo}, {hi}) out of bounds [{first}, {last}]");
        }

        if (lo == hi)
        {
            return RaftLogStatus.Ok;
        }

        var unstableFrom = Unstable.Offset;
        if (lo >= unstableFrom)
        {
            TakeUnstable(lo, hi, maxSize, into, atLeastOne: true);
            return RaftLogStatus.Ok;
        }

        var cut = Math.Min(hi, unstableFrom);
        var start = into.Count;
        var status = _storage.Entries(lo, cut, maxSize, into);
        if (status == RaftLogStatus.Compacted)
        {
            return status;
        }

        if (status != RaftLogStatus.Ok)
        {
            throw new InvalidOperationException($"entries [{lo}, {cut}) are {status} in storage");
        }

        var taken = into.Count - start;
        if (hi <= unstableFrom || (ulong)taken < cut - lo)
        {
            return RaftLogStatus.Ok;
        }

        ulong size = 0;
        if (maxSize != RaftConfig.NoLimit)
        {
            for (var i = start; i < into.Count; i++)
            {
                size += EntrySize(into[i]);
            }

            if (size >= maxSize)
            {
                return RaftLogStatus.Ok;
            }
        }

        TakeUnstable(unstableFrom, hi, maxSize == RaftConfig.NoLimit ? maxSize : maxSize - size, into, atLeastOne: false);
        return RaftLogStatus.Ok;
    }

    /// <summary>
    /// The committed entries not yet handed out, within the per-Ready budget; an empty array when
    /// a snapshot is pending (it applies first).
    /// </summary>
    public Entry[] NextCommittedEntries()
    {
        if (!HasNextCommittedEntries)
        {
            return [];
        }

        _scratch.Clear();
        var status = Slice(Applying + 1, Committed + 1, _maxApplyingSize, _scratch);
        if (status != RaftLogStatus.Ok)
        {
            throw new InvalidOperationException($"committed entries [{Applying + 1}, {Committed + 1}] are {status}");
        }

        var result = _scratch.ToArray();
        _scratch.Clear();
        return result;
    }

    public bool HasNextCommittedEntries => !HasNextOrInProgressSnapshot && Applying < Committed;

    /// <summary>
    /// Whether a committed entry not yet applied changes the configuration. Read in pages of
    /// MaxCommittedSizePerReady bytes so a long unapplied tail does not load at once.
    /// </summary>
    public bool HasUnappliedConfChanges()
    {
        var lo = Applied + 1;
        var hi = Committed + 1;
        try
        {
            while (lo < hi)
            {
                _scratch.Clear();
                var status = Slice(lo, hi, _maxApplyingSize, _scratch);
                if (status != RaftLogStatus.Ok || _scratch.Count == 0)
                {
                    throw new InvalidOperationException($"scanning unapplied entries [{lo}, {hi}): {status}");
                }

                foreach (var e in _scratch)
                {
                    if (e.Type is EntryType.EntryConfChange or EntryType.EntryConfChangeV2)
                    {
                        return true;
                    }
                }

                lo += (ulong)_scratch.Count;
            }

            return false;
        }
        finally
        {
            _scratch.Clear();
        }
    }

    private void TakeUnstable(ulong lo, ulong hi, ulong budget, List<Entry> into, bool atLeastOne)
    {
        if (budget == RaftConfig.NoLimit)
        {
            Unstable.Slice(lo, hi, into);
            return;
        }

        ulong size = 0;
        for (var i = lo; i < hi; i++)
        {
            var e = Unstable.At(i);
            size += EntrySize(e);
            if (size > budget && !(atLeastOne && i == lo))
            {
                return;
            }

            into.Add(e);
        }
    }
}

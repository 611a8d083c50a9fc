namespace Kvasir.Raft;

/// <summary>
/// Raft's view of the log: the storage (durable, read-only here) overlaid by the unstable tail,
/// with the commit and apply cursors.
/// </summary>
/// <remarks>
/// Invariants: FirstIndex - 1 ≤ Applied ≤ Applying ≤ Committed ≤ LastIndex. Committed never
/// decreases (except that a node restarted from storage starts again from its persisted commit).
/// A committed entry is never replaced: an append that conflicts with one is a broken invariant
/// and throws.
/// </remarks>
internal sealed partial class RaftLog
{
    private readonly IRaftLog _storage;
    private readonly IRaftLogger _logger;
    private readonly ulong _maxApplyingSize;

    public RaftLog(IRaftLog storage, IRaftLogger logger, ulong maxApplyingSize)
    {
        _storage = storage;
        _logger = logger;
        _maxApplyingSize = maxApplyingSize;
        var first = storage.FirstIndex();
        var last = storage.LastIndex();
        Unstable = new UnstableLog(last + 1, logger);
        Committed = first - 1;
        Applying = first - 1;
        Applied = first - 1;
    }

    public UnstableLog Unstable { get; }

    /// <summary>The highest index known to be committed.</summary>
    public ulong Committed { get; set; }

    /// <summary>The highest index handed out to the host for applying (in a Ready not yet acknowledged, or earlier).</summary>
    public ulong Applying { get; private set; }

    /// <summary>The highest index the host has applied (acknowledged with Advance).</summary>
    public ulong Applied { get; private set; }

    public IRaftLog Storage => _storage;

    public ulong FirstIndex() => Unstable.TryFirstIndex(out var i) ? i : _storage.FirstIndex();

    public ulong LastIndex() => Unstable.TryLastIndex(out var i) ? i : _storage.LastIndex();

    /// <summary>
    /// The term at <paramref name="i"/>: valid for FirstIndex - 1 ≤ i ≤ LastIndex; Compacted below,
    /// Unavailable above.
    /// </summary>
    public RaftLogStatus Term(ulong i, out ulong term)
    {
        if (Unstable.TryTerm(i, out term))
        {
            return RaftLogStatus.Ok;
        }

        if (i + 1 < FirstIndex())
        {
            term = 0;
            return RaftLogStatus.Compacted;
        }

        if (i > LastIndex())
        {
            term = 0;
            return RaftLogStatus.Unavailable;
        }

        var status = _storage.Term(i, out term);
        if (status is RaftLogStatus.Ok or RaftLogStatus.Compacted or RaftLogStatus.Unavailable)
        {
            return status;
        }

        throw new InvalidOperationException($"storage answered {status} for the term of {i}");
    }

    /// <summary>The term at <paramref name="i"/>, or 0 when it is compacted or beyond the log.</summary>
    public ulong TermOrZero(ulong i) => Term(i, out var t) == RaftLogStatus.Ok ? t : 0;

    public (ulong Index, ulong Term) LastEntryId()
    {
        var index = LastIndex();
        if (Term(index, out var term) != RaftLogStatus.Ok)
        {
            throw new InvalidOperationException($"the term of the last index {index} is unreadable");
        }

        return (index, term);
    }

    /// <summary>Whether the log holds an entry at <paramref name="index"/> with <paramref name="term"/>.</summary>
    public bool MatchTerm(ulong index, ulong term) => Term(index, out var t) == RaftLogStatus.Ok && t == term;

    /// <summary>
    /// Whether a log ending at (index, term) is at least as up to date as this one: a later last
    /// term, or the same last term and at least as long (paper §5.4.1).
    /// </summary>
    public bool IsUpToDate(ulong index, ulong term)
    {
        var (ourIndex, ourTerm) = LastEntryId();
        return term > ourTerm || (term == ourTerm && index >= ourIndex);
    }

    public void CommitTo(ulong toCommit)
    {
        if (Committed >= toCommit)
        {
            return;
        }

        var last = LastIndex();
        if (last < toCommit)
        {
            throw new InvalidOperationException($"commit {toCommit} is beyond the last index {last}: was the log corrupted, truncated or lost?");
        }

        Committed = toCommit;
    }

    /// <summary>
    /// Commits up to (index, term) when that entry is in the log with that term. The leader passes
    /// its own term, which is how Raft commits only entries of the current term by counting
    /// replicas (paper §5.4.2); earlier ones follow by log matching.
    /// </summary>
    public bool MaybeCommit(ulong index, ulong term)
    {
        if (term != 0 && index > Committed && MatchTerm(index, term))
        {
            CommitTo(index);
            return true;
        }

        return false;
    }

    public void AppliedTo(ulong index)
    {
        if (Committed < index || index < Applied)
        {
            throw new InvalidOperationException($"applied {index} is out of range [{Applied}, {Committed}]");
        }

        Applied = index;
        Applying = Math.Max(Applying, index);
    }

    public void AcceptApplying(ulong index)
    {
        if (Committed < index)
        {
            throw new InvalidOperationException($"applying {index} is beyond the commit index {Committed}");
        }

        Applying = index;
    }

    /// <summary>
    /// Handles the entries of an append from the leader after (prevIndex, prevTerm). Returns false
    /// when the log does not hold that entry (the append is rejected). Otherwise appends what is
    /// new, replacing a conflicting tail, commits up to min(commit, the last new index) and returns
    /// that last new index.
    /// </summary>
    public bool MaybeAppend(ulong prevIndex, ulong prevTerm, ulong commit, IReadOnlyList<Entry> entries, out ulong lastNewIndex)
    {
        if (!MatchTerm(prevIndex, prevTerm))
        {
            lastNewIndex = 0;
            return false;
        }

        lastNewIndex = prevIndex + (ulong)entries.Count;
        var conflict = FindConflict(entries);
        if (conflict != 0)
        {
            if (conflict <= Committed)
            {
                throw new InvalidOperationException($"entry {conflict} conflicts with a committed entry (committed {Committed})");
            }

            Append(entries, (int)(conflict - (prevIndex + 1)));
        }

        CommitTo(Math.Min(commit, lastNewIndex));
        return true;
    }

    /// <summary>Appends entries[from..] (consecutive, indexes set); returns the new last index.</summary>
    public ulong Append(IReadOnlyList<Entry> entries, int from = 0)
    {
        if (from >= entries.Count)
        {
            return LastIndex();
        }

        var after = entries[from].Index - 1;
        if (after < Committed)
        {
            throw new InvalidOperationException($"appending after {after} would overwrite committed entries (committed {Committed})");
        }

        Unstable.TruncateAndAppend(entries, from);
        return LastIndex();
    }

    /// <summary>
    /// The index of the first entry that is not in the log with the same term (0 when all match):
    /// either a conflicting entry or the first new one.
    /// </summary>
    public ulong FindConflict(IReadOnlyList<Entry> entries)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (!MatchTerm(e.Index, e.Term))
            {
                if (e.Index <= LastIndex() && _logger.IsEnabled(RaftLogLevel.Info))
                {
                    _logger.Log(RaftLogLevel.Info, $"found conflict at index {e.Index} [existing term: {TermOrZero(e.Index)}, conflicting term: {e.Term}]");
                }

                return e.Index;
            }
        }

        return 0;
    }

    /// <summary>
    /// The largest index at or below <paramref name="index"/> whose term is at most
    /// <paramref name="term"/>, with that term: where the logs can match at the earliest, given that
    /// the other log's term at <paramref name="index"/> is <paramref name="term"/> (terms never
    /// decrease along a log). Stops at a compacted index, returning it with term 0.
    /// </summary>
    public (ulong Index, ulong Term) FindConflictByTerm(ulong index, ulong term)
    {
        for (; index > 0; index--)
        {
            if (Term(index, out var ours) != RaftLogStatus.Ok)
            {
                return (index, 0);
            }

            if (ours <= term)
            {
                return (index, ours);
            }
        }

        return (0, 0);
    }

    /// <summary>Replaces the log with a snapshot received from the leader; its index becomes the commit index.</summary>
    public void Restore(Snapshot snapshot)
    {
        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            _logger.Log(RaftLogLevel.Info, $"log [committed={Committed}, applied={Applied}, unstable.offset={Unstable.Offset}] restores snapshot [index: {snapshot.Metadata.Index}, term: {snapshot.Metadata.Term}]");
        }

        Committed = snapshot.Metadata.Index;
        Unstable.Restore(snapshot);
    }

    /// <summary>The latest snapshot: the unstable one, else the storage's.</summary>
    public RaftLogStatus Snapshot(out Snapshot snapshot)
    {
        if (Unstable.Snapshot is not null)
        {
            snapshot = Unstable.Snapshot;
            return RaftLogStatus.Ok;
        }

        return _storage.Snapshot(out snapshot);
    }

    public bool HasNextOrInProgressSnapshot => Unstable.Snapshot is not null;
}

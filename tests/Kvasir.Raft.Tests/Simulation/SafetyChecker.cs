namespace Kvasir.Raft.Tests.Simulation;

/// <summary>
/// The safety properties of Raft, checked incrementally as a run goes: at most one leader per
/// term; log matching (an (index, term) pair names one entry, preceded by one term); leader
/// completeness (a new leader holds every committed entry); state machine safety (every node
/// applies the same entry at an index, and snapshots carry the same state); commit indexes never
/// decrease. Each check costs O(1) per event, so they run after every step.
/// </summary>
internal sealed class SafetyChecker
{
    private readonly Dictionary<ulong, ulong> _leaderOfTerm = [];

    // Log matching: (index, term) → (entry fingerprint, term of the entry before it).
    private readonly Dictionary<(ulong Index, ulong Term), (ulong Fingerprint, ulong PrevTerm)> _entries = [];

    // Committed[i] = term of the committed entry at i (index 0 unused).
    private readonly List<ulong> _committedTerm = [0];

    // CommitBound[i] = the highest term seen anywhere when index i was first reported committed:
    // at least the term of the leader that committed it. Non-decreasing in i.
    private readonly List<ulong> _commitBound = [0];

    private ulong _maxTerm;

    // Applied[i] = fingerprint of the entry applied at i; Chain[i] = hash of the state after applying i.
    private readonly List<ulong> _applied = [0];
    private readonly List<ulong> _chain = [0];

    /// <summary>The highest index any node has reported committed.</summary>
    public ulong MaxCommitted => (ulong)_committedTerm.Count - 1;

    /// <summary>The highest index any node has applied.</summary>
    public ulong MaxApplied => (ulong)_applied.Count - 1;

    public int Leaders => _leaderOfTerm.Count;

    public static ulong Fingerprint(Entry e)
    {
        // FNV-1a over type and payload; index and term are part of the key, not the print.
        var h = 1469598103934665603UL;
        h = (h ^ (ulong)e.Type) * 1099511628211UL;
        foreach (var b in e.Data.Span)
        {
            h = (h ^ b) * 1099511628211UL;
        }

        return h;
    }

    public static ulong NextHash(ulong prev, ulong fingerprint) => (prev * 0x9E3779B97F4A7C15UL) ^ fingerprint ^ (prev >> 29);

    /// <summary>The state hash after applying up to <paramref name="index"/>; known for every applied index.</summary>
    public ulong ChainAt(ulong index) => _chain[(int)index];

    /// <summary>Any node was seen at <paramref name="term"/>.</summary>
    public void OnTerm(ulong term)
    {
        if (term > _maxTerm)
        {
            _maxTerm = term;
        }
    }

    /// <summary>A node is leader of <paramref name="term"/>: no other node may be.</summary>
    public void OnLeader(ulong id, ulong term, Raft r)
    {
        OnTerm(term);
        if (_leaderOfTerm.TryGetValue(term, out var other))
        {
            if (other != id)
            {
                throw new SimulationFailure($"two leaders in term {term}: {other} and {id}");
            }

            return;
        }

        _leaderOfTerm[term] = id;

        // Leader completeness: an entry committed in a term holds in the logs of the leaders of
        // every later term. A leader of an earlier term may be elected late (its votes were
        // delayed) and legitimately lack what a later term committed: so check the latest entry
        // committed before this term began — surely so when the highest term seen at the time
        // was below it — and by log matching everything before it, unless its snapshot covers it.
        var c = LastCommittedBefore(term);
        while (c > 0 && _committedTerm[(int)c] == 0)
        {
            c--;
        }

        if (c == 0)
        {
            return;
        }

        var status = r.Log.Term(c, out var t);
        if (status == RaftLogStatus.Compacted)
        {
            return;
        }

        if (status != RaftLogStatus.Ok || t != _committedTerm[(int)c])
        {
            throw new SimulationFailure($"leader {id} of term {term} lacks committed entry {c} (term {_committedTerm[(int)c]}): its log has {status} term {t}, last index {r.Log.LastIndex()}");
        }
    }

    /// <summary>Entries a node hands out for persisting: each (index, term) must name the same entry everywhere.</summary>
    public void OnEntries(ulong id, IReadOnlyList<Entry> entries, Raft r)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            ulong prevTerm;
            if (i > 0)
            {
                prevTerm = entries[i - 1].Term;
            }
            else if (r.Log.Term(e.Index - 1, out var pt) == RaftLogStatus.Ok)
            {
                prevTerm = pt;
            }
            else
            {
                prevTerm = ulong.MaxValue;
            }

            var fp = Fingerprint(e);
            if (_entries.TryGetValue((e.Index, e.Term), out var known))
            {
                if (known.Fingerprint != fp)
                {
                    throw new SimulationFailure($"log matching: node {id} has a different entry at index {e.Index} term {e.Term}");
                }

                if (prevTerm != ulong.MaxValue && known.PrevTerm != ulong.MaxValue && known.PrevTerm != prevTerm)
                {
                    throw new SimulationFailure($"log matching: node {id} has entry {e.Index}/{e.Term} after term {prevTerm}, elsewhere after term {known.PrevTerm}");
                }

                if (known.PrevTerm == ulong.MaxValue && prevTerm != ulong.MaxValue)
                {
                    _entries[(e.Index, e.Term)] = (fp, prevTerm);
                }
            }
            else
            {
                _entries[(e.Index, e.Term)] = (fp, prevTerm);
            }

            if (e.Term > r.Term && r.State == StateType.Leader)
            {
                throw new SimulationFailure($"leader {id} at term {r.Term} has entry {e.Index} of later term {e.Term}");
            }
        }
    }

    /// <summary>A node reports commit index <paramref name="commit"/>: its log up to there is committed, and must agree with what is known committed.</summary>
    public void OnCommit(ulong id, ulong commit, Raft r)
    {
        var known = MaxCommitted;
        if (commit <= known)
        {
            if (r.Log.Term(commit, out var t) == RaftLogStatus.Ok && commit > 0 && t != _committedTerm[(int)commit])
            {
                throw new SimulationFailure($"node {id} commits index {commit} with term {t}, but term {_committedTerm[(int)commit]} was committed there");
            }

            return;
        }

        // Extend the committed prefix from this node's log; an index it no longer holds (compacted)
        // is recorded as unknown (0) and then only checked through later indexes.
        if (r.Log.Term(known, out var kt) == RaftLogStatus.Ok && known > 0 && kt != _committedTerm[(int)known])
        {
            throw new SimulationFailure($"node {id} commits past {known} but holds term {kt} there, where term {_committedTerm[(int)known]} was committed");
        }

        for (var i = known + 1; i <= commit; i++)
        {
            _committedTerm.Add(r.Log.Term(i, out var term) == RaftLogStatus.Ok ? term : 0);
            _commitBound.Add(Math.Max(_maxTerm, r.Term));
        }
    }

    // The highest committed index whose commit bound is below `term` (0 when none).
    private ulong LastCommittedBefore(ulong term)
    {
        int lo = 0, hi = _commitBound.Count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (_commitBound[mid] < term)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return (ulong)lo;
    }

    /// <summary>A node applies <paramref name="e"/>: every node must apply the same entry at an index.</summary>
    public void OnApply(ulong id, Entry e)
    {
        var fp = Fingerprint(e);
        var i = e.Index;
        if (i < (ulong)_applied.Count)
        {
            if (_applied[(int)i] != fp)
            {
                throw new SimulationFailure($"state machine safety: node {id} applies a different entry at index {i}");
            }

            return;
        }

        if (i != (ulong)_applied.Count)
        {
            throw new SimulationFailure($"node {id} applies index {i} while the cluster has applied only up to {_applied.Count - 1}: a gap");
        }

        if (i > MaxCommitted)
        {
            throw new SimulationFailure($"node {id} applies index {i} beyond every reported commit index ({MaxCommitted})");
        }

        _applied.Add(fp);
        _chain.Add(NextHash(_chain[(int)i - 1], fp));
    }

    /// <summary>A node installs a snapshot of the state at <paramref name="index"/> with <paramref name="hash"/>.</summary>
    public void OnSnapshot(ulong id, ulong index, ulong hash)
    {
        if (index >= (ulong)_chain.Count)
        {
            throw new SimulationFailure($"node {id} installs a snapshot at {index}, beyond anything applied ({_chain.Count - 1})");
        }

        if (_chain[(int)index] != hash)
        {
            throw new SimulationFailure($"node {id} installs a snapshot at {index} whose state differs from the applied history");
        }
    }
}

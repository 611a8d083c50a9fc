namespace Kvasir.Raft;

// The Ready cycle: what is due, handing it out, and the host's acknowledgement.
public sealed partial class RawNode
{
    private SoftState _prevSoftState;

    // The HardState of the last Ready handed out; once that Ready is advanced, it is durable.
    private HardState _prevHardState;

    private bool _readyOutstanding;

    // What the outstanding Ready handed out, reported back to Raft by Advance.
    private ulong _readyLastIndex;
    private ulong _readyLastTerm;
    private ulong _readySnapshotIndex;
    private ulong _readyAppliedIndex;
    private ulong _readyAppliedBytes;
    private ulong _readySelfVoteTerm;

    /// <summary>
    /// Whether a Ready has something to do. False while a Ready is handed out and not yet advanced.
    /// Sends that proposals made due are prepared here.
    /// </summary>
    public bool HasReady()
    {
        if (_readyOutstanding)
        {
            return false;
        }

        var r = _raft;
        r.FlushPendingSends();
        if (r.SoftState != _prevSoftState)
        {
            return true;
        }

        if (HardStateChanged(r))
        {
            return true;
        }

        return r.Log.Unstable.NextSnapshot is not null
            || r.Messages.Count > 0
            || r.Log.Unstable.HasNextEntries
            || r.Log.HasNextCommittedEntries
            || r.ReadStates.Count > 0;
    }

    /// <summary>
    /// Hands out what is due (see <see cref="Kvasir.Raft.Ready"/> for what to do with it). Call
    /// <see cref="Advance"/> before the next Ready; asking twice throws.
    /// </summary>
    public Ready Ready()
    {
        if (_readyOutstanding)
        {
            throw new InvalidOperationException("the previous Ready has not been advanced: call Advance() before Ready()");
        }

        var r = _raft;
        r.FlushPendingSends();
        var log = r.Log;
        var entries = log.Unstable.NextEntries();
        var committed = log.NextCommittedEntries();
        var softState = r.SoftState;
        var hardChanged = HardStateChanged(r);
        var hardState = hardChanged ? r.HardState : _prevHardState;
        var snapshot = log.Unstable.NextSnapshot;
        var mustSync = entries.Length > 0 || snapshot is not null || r.Term != _prevHardState.Term || r.Vote != _prevHardState.Vote;
        var readStates = r.ReadStates.Count == 0 ? [] : r.ReadStates.ToArray();
        SplitMessages(r.Messages, _prevHardState.Term, out var early, out var late);

        var rd = new Ready(
            softState != _prevSoftState ? softState : null,
            hardChanged ? hardState : null,
            readStates,
            entries,
            snapshot,
            committed,
            early,
            late,
            mustSync);

        // Accept: from now on these belong to the host.
        _prevSoftState = softState;
        if (hardChanged)
        {
            _prevHardState = hardState;
        }

        r.ReadStates.Clear();
        r.Messages.Clear();
        log.Unstable.AcceptInProgress();
        _readyLastIndex = entries.Length > 0 ? entries[^1].Index : 0;
        _readyLastTerm = entries.Length > 0 ? entries[^1].Term : 0;
        _readySnapshotIndex = snapshot?.Metadata.Index ?? 0;
        _readyAppliedIndex = 0;
        _readyAppliedBytes = 0;
        if (committed.Length > 0)
        {
            _readyAppliedIndex = committed[^1].Index;
            foreach (var e in committed)
            {
                _readyAppliedBytes += (ulong)e.Data.Length;
            }

            log.AcceptApplying(_readyAppliedIndex);
        }

        _readySelfVoteTerm = r.PendingSelfVoteTerm;
        _readyOutstanding = true;
        return rd;
    }

    /// <summary>
    /// Acknowledges the last Ready: its entries, HardState and snapshot are durable and its committed
    /// entries applied. The node now counts its own vote and its own copy of the entries, which may
    /// commit more or win an election (visible in the next Ready). Throws when no Ready is outstanding.
    /// </summary>
    public void Advance()
    {
        if (!_readyOutstanding)
        {
            throw new InvalidOperationException("Advance() without an outstanding Ready");
        }

        _readyOutstanding = false;
        var r = _raft;
        if (_readySnapshotIndex != 0)
        {
            r.OnSnapshotPersisted(_readySnapshotIndex);
        }

        if (_readyLastIndex != 0)
        {
            r.OnEntriesPersisted(_readyLastIndex, _readyLastTerm);
        }

        if (_readySelfVoteTerm != 0)
        {
            r.OnVotePersisted(_readySelfVoteTerm);
        }

        if (_readyAppliedIndex != 0)
        {
            r.OnApplied(_readyAppliedIndex, _readyAppliedBytes);
        }
    }

    private bool HardStateChanged(Raft r) =>
        r.Term != _prevHardState.Term || r.Vote != _prevHardState.Vote || r.Log.Committed != _prevHardState.Commit;

    // A leader's messages that vouch only for durable state may go before the Ready is persisted,
    // provided the term they carry is already durable (see Ready's remarks). The rest wait.
    private static void SplitMessages(List<Message> all, ulong durableTerm, out Message[] early, out Message[] late)
    {
        if (all.Count == 0)
        {
            early = [];
            late = [];
            return;
        }

        var nEarly = 0;
        foreach (var m in all)
        {
            if (IsEarly(m, durableTerm))
            {
                nEarly++;
            }
        }

        if (nEarly == 0)
        {
            early = [];
            late = all.ToArray();
            return;
        }

        if (nEarly == all.Count)
        {
            early = all.ToArray();
            late = [];
            return;
        }

        early = new Message[nEarly];
        late = new Message[all.Count - nEarly];
        int e = 0, l = 0;
        foreach (var m in all)
        {
            if (IsEarly(m, durableTerm))
            {
                early[e++] = m;
            }
            else
            {
                late[l++] = m;
            }
        }
    }

    private static bool IsEarly(Message m, ulong durableTerm) =>
        m.Term == durableTerm && durableTerm != 0 && m.Type is MessageType.MsgApp or MessageType.MsgHeartbeat or MessageType.MsgSnap
            or MessageType.MsgTimeoutNow or MessageType.MsgReadIndexResp;
}

using Google.Protobuf;

namespace Kvasir.Raft;

/// <summary>
/// One Raft node, driven by one caller: the host's loop ticks it, steps messages from peers into
/// it, proposes, and drains <see cref="Ready"/> (persist, send, apply, <see cref="Advance"/>). Not
/// thread-safe; it does no I/O and reads no clock.
/// </summary>
/// <remarks>
/// A new cluster: every member starts with an empty <see cref="MemoryRaftLog"/> and calls
/// <see cref="Bootstrap"/> with the same peers. A member joining an existing cluster starts empty
/// and waits for the leader. A restart passes the storage rebuilt from disk and the applied index.
/// </remarks>
public sealed partial class RawNode
{
    private readonly Raft _raft;

    /// <summary>Builds a node from its configuration and storage; a bad configuration throws <see cref="ArgumentException"/>.</summary>
    public RawNode(RaftConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        _raft = new Raft(config);
        _prevSoftState = _raft.SoftState;
        _prevHardState = _raft.HardState;
    }

    /// <summary>This node's id.</summary>
    public ulong Id => _raft.Id;

    /// <summary>The underlying state machine, for tests in this assembly's family.</summary>
    internal Raft Raft => _raft;

    /// <summary>Advances time by one tick: election timeouts, heartbeats, check-quorum.</summary>
    public void Tick() => _raft.Tick();

    /// <summary>Starts an election now (with a pre-vote first when enabled), unless this node leads or may not.</summary>
    public void Campaign() => _raft.Campaign();

    /// <summary>
    /// Proposes <paramref name="data"/> to be appended to the log. The data is shared, not copied:
    /// wrap a buffer with UnsafeByteOperations.UnsafeWrap and do not change it afterwards. Anything
    /// but Accepted means the proposal was dropped.
    /// </summary>
    public ProposalResult Propose(ByteString data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return _raft.ProposeLocal(new Entry { Data = data });
    }

    /// <summary>Proposes a one-node membership change (etcd's ConfChange); applied with <see cref="ApplyConfChange(ConfChange)"/> once committed.</summary>
    public ProposalResult ProposeConfChange(ConfChange cc)
    {
        ArgumentNullException.ThrowIfNull(cc);
        return _raft.ProposeLocal(new Entry { Type = EntryType.EntryConfChange, Data = cc.ToByteString() });
    }

    /// <summary>Proposes a membership change of any size, through joint consensus when needed.</summary>
    public ProposalResult ProposeConfChange(ConfChangeV2 cc)
    {
        ArgumentNullException.ThrowIfNull(cc);
        return _raft.ProposeLocal(new Entry { Type = EntryType.EntryConfChangeV2, Data = cc.ToByteString() });
    }

    /// <summary>
    /// Applies a committed conf change (from a CommittedEntries entry of type EntryConfChange) and
    /// returns the membership now in force, to store with the next snapshot. An invalid change
    /// throws <see cref="ConfChangeException"/> and changes nothing.
    /// </summary>
    public ConfState ApplyConfChange(ConfChange cc)
    {
        ArgumentNullException.ThrowIfNull(cc);
        return _raft.ApplyConfChange(cc.AsV2());
    }

    /// <summary>Applies a committed ConfChangeV2 (an entry of type EntryConfChangeV2).</summary>
    public ConfState ApplyConfChange(ConfChangeV2 cc)
    {
        ArgumentNullException.ThrowIfNull(cc);
        return _raft.ApplyConfChange(cc);
    }

    /// <summary>
    /// Asks for a read index: once confirmed, a ReadState with <paramref name="context"/> comes out
    /// of a Ready. NoLeader when no leader is known (the request is dropped); a forwarded request
    /// that the leader drops is never answered, so the host waits with a deadline.
    /// </summary>
    public ProposalResult ReadIndex(ByteString context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _raft.ReadIndexLocal(context);
    }

    /// <summary>
    /// Asks the leader to hand leadership to <paramref name="transferee"/>: it catches the target up,
    /// then tells it to campaign at once. Proposals are dropped meanwhile; the transfer is abandoned
    /// after an election timeout. Ignored for a learner, a non-member or when no leader is known.
    /// </summary>
    public void TransferLeader(ulong transferee) => _raft.Step(new Message { Type = MessageType.MsgTransferLeader, From = transferee });

    /// <summary>The transport failed to send to <paramref name="id"/>; the leader probes it again rather than stream blindly.</summary>
    public void ReportUnreachable(ulong id) => _raft.ReportUnreachable(id);

    /// <summary>The transport finished sending a snapshot to <paramref name="id"/>, or failed to.</summary>
    public void ReportSnapshot(ulong id, SnapshotStatus status) => _raft.ReportSnapshot(id, status);

    /// <summary>
    /// Sets up a brand-new cluster: appends one ConfChangeAddNode per peer at term 1 and commits them,
    /// so every member starts from the same configuration (the first Ready persists and hands them
    /// out for applying). Every member of a new cluster calls it with the same peers in the same
    /// order. Throws <see cref="ArgumentException"/> for no peers, id 0 or a repeated id, and
    /// <see cref="InvalidOperationException"/> when the log is not empty; nothing changes then.
    /// </summary>
    public void Bootstrap(IReadOnlyList<Peer> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        if (peers.Count == 0)
        {
            throw new ArgumentException("must provide at least one peer to Bootstrap", nameof(peers));
        }

        var seen = new HashSet<ulong>();
        foreach (var p in peers)
        {
            if (p.Id == 0)
            {
                throw new ArgumentException("peer id 0 is not allowed: 0 means 'no node'", nameof(peers));
            }

            if (!seen.Add(p.Id))
            {
                throw new ArgumentException($"peer {p.Id} is listed twice", nameof(peers));
            }
        }

        if (_raft.Log.LastIndex() != 0)
        {
            throw new InvalidOperationException("can't bootstrap a nonempty log");
        }

        _raft.Bootstrap(peers);
        _prevHardState = new HardState();
    }

    /// <summary>The node's state; on the leader, with the progress of every member.</summary>
    public RaftStatus Status()
    {
        var progress = new Dictionary<ulong, ProgressStatus>();
        var trk = _raft.Tracker;
        if (_raft.State == StateType.Leader)
        {
            foreach (var id in trk.Ids)
            {
                var pr = trk.ProgressMap[id];
                progress[id] = new ProgressStatus(
                    pr.Match,
                    pr.Next,
                    pr.State,
                    pr.IsLearner,
                    pr.RecentActive,
                    id == _raft.Id ? 0 : _raft.Ticks - pr.LastResponseTick,
                    pr.PendingSnapshot,
                    pr.Inflights.Count,
                    pr.IsPaused);
            }
        }

        return new RaftStatus(_raft.Id, _raft.HardState, _raft.SoftState, _raft.Log.Applied, _raft.LeadTransferee, trk.Config.ToConfState(), progress);
    }
}

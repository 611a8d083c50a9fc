using System.Buffers.Binary;
using Google.Protobuf;

namespace Kvasir.Raft.Tests.Simulation;

/// <summary>
/// One simulated member: its disk (a MemoryRaftLog that only ever holds what was persisted), the
/// running RawNode (gone while crashed), and a volatile state machine (applied index, state hash
/// and membership) rebuilt from the disk's snapshot on restart.
/// </summary>
internal sealed class SimNode
{
    public SimNode(ulong id)
    {
        Id = id;
    }

    public ulong Id { get; }

    /// <summary>The durable storage: survives crashes.</summary>
    public MemoryRaftLog Disk { get; private set; } = new();

    /// <summary>The tick at which the node applied its own removal; it stops a grace period later, as a member does.</summary>
    public long RemovedAt { get; set; } = -1;

    /// <summary>Throws the disk away (a founding member that never wrote anything starts over).</summary>
    public void Wipe() => Disk = new MemoryRaftLog();

    public RawNode? Node { get; private set; }

    public bool Up => Node is not null;

    /// <summary>Removed from the cluster: stopped for good, as a member stops itself.</summary>
    public bool Removed { get; set; }

    public ulong AppliedIndex { get; private set; }

    public ulong AppliedHash { get; private set; }

    /// <summary>The membership as of <see cref="AppliedIndex"/>.</summary>
    public ConfState AppliedConf { get; private set; } = new();

    /// <summary>The commit index seen in this incarnation's Readies; never decreases.</summary>
    public ulong LastCommit { get; set; }

    public int Incarnation { get; private set; }

    public static ByteString SnapshotData(ulong index, ulong hash)
    {
        var b = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(b, index);
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8), hash);
        return UnsafeByteOperations.UnsafeWrap(b);
    }

    /// <summary>Starts (or restarts) the node from its disk; the state machine restarts from the disk's snapshot.</summary>
    public void Start(SimOptions o, int seed, IReadOnlyList<Peer>? bootstrap)
    {
        Disk.Snapshot(out var snap);
        var snapIndex = snap.Metadata.Index;
        if (snapIndex > 0)
        {
            AppliedIndex = BinaryPrimitives.ReadUInt64LittleEndian(snap.Data.Span);
            AppliedHash = BinaryPrimitives.ReadUInt64LittleEndian(snap.Data.Span[8..]);
            AppliedConf = snap.Metadata.ConfState.Clone();
        }
        else
        {
            AppliedIndex = 0;
            AppliedHash = 0;
            AppliedConf = new ConfState();
        }

        var config = new RaftConfig
        {
            Id = Id,
            ElectionTick = o.ElectionTick,
            HeartbeatTick = o.HeartbeatTick,
            Storage = Disk,
            Applied = snapIndex,
            MaxSizePerMsg = o.MaxSizePerMsg,
            MaxInflightMsgs = o.MaxInflightMsgs,
            MaxUncommittedEntriesSize = o.MaxUncommittedEntriesSize,
            MaxCommittedSizePerReady = o.MaxCommittedSizePerReady,
            PreVote = o.PreVote,
            CheckQuorum = o.CheckQuorum,
            ReadOnlyOption = o.LeaseReads ? ReadOnlyOption.LeaseBased : ReadOnlyOption.Safe,
            Random = new Random(seed),
        };
        Node = new RawNode(config);
        if (bootstrap is not null)
        {
            Node.Bootstrap(bootstrap);
        }

        LastCommit = 0;
        Incarnation++;
    }

    /// <summary>Drops the running node and the state machine: only the disk remains.</summary>
    public void Crash() => Node = null;

    /// <summary>Installs a snapshot's state in the state machine.</summary>
    public void InstallSnapshot(Snapshot snap)
    {
        AppliedIndex = BinaryPrimitives.ReadUInt64LittleEndian(snap.Data.Span);
        AppliedHash = BinaryPrimitives.ReadUInt64LittleEndian(snap.Data.Span[8..]);
        AppliedConf = snap.Metadata.ConfState.Clone();
    }

    /// <summary>
    /// Applies an entry to the state machine. A conf change that would bring back a removed id is
    /// applied as a no-op (node 0), as etcd's server does: a removed member's id is never reused,
    /// and a proposal delivered twice must not re-add it. <paramref name="removedAt"/> maps ids to
    /// the index of the entry that removed them, the same history on every node.
    /// </summary>
    public void ApplyEntry(Entry e, SafetyChecker checker, Dictionary<ulong, ulong> removedAt)
    {
        if (e.Index != AppliedIndex + 1)
        {
            throw new SimulationFailure($"node {Id} applies {e.Index} after {AppliedIndex}: entries must apply in order without gaps");
        }

        checker.OnApply(Id, e);
        AppliedIndex = e.Index;
        AppliedHash = SafetyChecker.NextHash(AppliedHash, SafetyChecker.Fingerprint(e));
        if (AppliedHash != checker.ChainAt(e.Index))
        {
            throw new SimulationFailure($"node {Id} reaches a state at {e.Index} that differs from the cluster's");
        }

        if (e.Type is not (EntryType.EntryConfChange or EntryType.EntryConfChangeV2))
        {
            return;
        }

        var cc = e.Type == EntryType.EntryConfChange ? ConfChange.Parser.ParseFrom(e.Data).AsV2() : ConfChangeV2.Parser.ParseFrom(e.Data);
        foreach (var c in cc.Changes)
        {
            if (c.Type is ConfChangeType.ConfChangeAddNode or ConfChangeType.ConfChangeAddLearnerNode
                && removedAt.TryGetValue(c.NodeId, out var at) && at < e.Index)
            {
                c.NodeId = 0;
            }
            else if (c.Type == ConfChangeType.ConfChangeRemoveNode && (!removedAt.TryGetValue(c.NodeId, out var was) || was > e.Index))
            {
                removedAt[c.NodeId] = e.Index;
            }
        }

        AppliedConf = Node!.ApplyConfChange(cc);
    }

    /// <summary>Snapshots the state machine at the applied index and compacts the log behind it, keeping a few entries.</summary>
    public void Compact(int keep)
    {
        if (AppliedIndex == 0)
        {
            return;
        }

        if (Disk.CreateSnapshot(AppliedIndex, AppliedConf, SnapshotData(AppliedIndex, AppliedHash), out _) != RaftLogStatus.Ok)
        {
            return;
        }

        var to = AppliedIndex > (ulong)keep ? AppliedIndex - (ulong)keep : 0;
        if (to > 0 && to > Disk.FirstIndex() - 1)
        {
            Disk.Compact(to);
        }
    }
}

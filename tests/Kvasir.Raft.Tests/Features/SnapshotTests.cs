using Google.Protobuf;
using Kvasir.Raft.Tests.Harness;
using static Kvasir.Raft.Tests.Harness.Fixtures;

namespace Kvasir.Raft.Tests.Features;

/// <summary>Snapshots: catching up a follower whose entries are compacted, installing, reporting.</summary>
public sealed class SnapshotTests
{
    private static Snapshot Snap(ulong index, ulong term, params ulong[] voters) => new()
    {
        Data = ByteString.CopyFromUtf8($"state@{index}"),
        Metadata = new SnapshotMetadata { Index = index, Term = term, ConfState = Voters(voters) },
    };

    /// <summary>A leader whose log is compacted up to 10 (snapshot at 10), with 11 and 12 after it.</summary>
    private static TestRaft CompactedLeader()
    {
        var s = new MemoryRaftLog(Voters(1, 2));
        s.ApplySnapshot(Snap(10, 1, 1, 2));
        s.Append([E(11, 1), E(12, 1)]);
        s.SetHardState(new HardState { Term = 1, Commit = 12 });
        var r = TestRaft.Create(1, s, configure: c => c.Applied = 12);
        MakeLeader(r, ackNoop: false);
        return r;
    }

    // Follower 2's log ends at 5: its probe is rejected down to entries the leader no longer has.
    private static void RejectDownToCompacted(TestRaft r) =>
        r.Step(Msg(MessageType.MsgAppResp, 2, 1, term: r.R.Term, index: 12, reject: true, rejectHint: 5));

    [Fact]
    public void Snapshot_FollowerNeedingCompactedEntries_IsSentTheSnapshot()
    {
        var r = CompactedLeader();
        RejectDownToCompacted(r);
        var snap = r.ReadMessages().OfType(MessageType.MsgSnap);
        var m = Assert.Single(snap);
        Assert.Equal(10UL, m.Snapshot.Metadata.Index);
        var pr = r.Node.Status().Progress[2];
        Assert.Equal(ProgressState.Snapshot, pr.State);
        Assert.Equal(10UL, pr.PendingSnapshot);
        Assert.True(pr.Paused);
    }

    [Fact]
    public void Snapshot_ReportedFinished_ProbesFromTheSnapshot()
    {
        var r = CompactedLeader();
        RejectDownToCompacted(r);
        r.ReadMessages();
        r.Node.ReportSnapshot(2, SnapshotStatus.Finish);
        var pr = r.Node.Status().Progress[2];
        Assert.Equal(ProgressState.Probe, pr.State);
        Assert.Equal(11UL, pr.Next);

        // It waits for the follower's answer before appending.
        Assert.True(pr.Paused);
    }

    [Fact]
    public void Snapshot_ReportedFailed_ProbesFromWhatTheFollowerHolds()
    {
        var r = CompactedLeader();
        RejectDownToCompacted(r);
        r.ReadMessages();
        r.Node.ReportSnapshot(2, SnapshotStatus.Failure);
        var pr = r.Node.Status().Progress[2];
        Assert.Equal(ProgressState.Probe, pr.State);
        Assert.Equal(0UL, pr.PendingSnapshot);
        Assert.Equal(pr.Match + 1, pr.Next);
    }

    [Fact]
    public void Snapshot_Follower_InstallsItAndAnswersWithItsIndex()
    {
        var r = Node(2, [1, 2]);
        r.Step(new Message { Type = MessageType.MsgSnap, From = 1, To = 2, Term = 2, Snapshot = Snap(10, 1, 1, 2, 3) });
        var rd = r.Node.Ready();
        Assert.NotNull(rd.Snapshot);
        Assert.True(rd.MustSync);
        Assert.Empty(rd.CommittedEntries);
        var resp = Assert.Single(rd.Messages);
        Assert.Equal(10UL, resp.Index);
        r.Handle(rd);
        r.Node.Advance();
        Assert.Equal(10UL, r.R.Log.Committed);
        Assert.Equal(10UL, r.R.Log.Applied);
        Assert.Equal([1UL, 2UL, 3UL], r.Node.Status().Config.Voters);
        Assert.Equal(11UL, r.Storage.FirstIndex());
    }

    [Fact]
    public void Snapshot_OlderThanTheCommitIndex_IsIgnored()
    {
        var r = Node(2, [1, 2], Log(1, 1, 1), commit: 3, term: 1);
        r.Step(new Message { Type = MessageType.MsgSnap, From = 1, To = 2, Term = 1, Snapshot = Snap(2, 1, 1, 2) });
        var resp = Assert.Single(r.ReadMessages());
        Assert.Equal(3UL, resp.Index);
        Assert.Equal(3UL, r.R.Log.LastIndex());
    }

    [Fact]
    public void Snapshot_WhoseLastEntryTheFollowerHolds_OnlyMovesTheCommit()
    {
        var r = Node(2, [1, 2], Log(1, 1, 1, 1), commit: 1, term: 1);
        r.Step(new Message { Type = MessageType.MsgSnap, From = 1, To = 2, Term = 1, Snapshot = Snap(3, 1, 1, 2) });
        r.ReadMessages();
        Assert.Equal(3UL, r.R.Log.Committed);
        Assert.Equal(4UL, r.R.Log.LastIndex());
    }

    [Fact]
    public void Snapshot_NotIncludingTheFollower_IsIgnored()
    {
        var r = Node(2, [1, 2]);
        r.Step(new Message { Type = MessageType.MsgSnap, From = 1, To = 2, Term = 1, Snapshot = Snap(10, 1, 1, 3) });
        var resp = Assert.Single(r.ReadMessages());
        Assert.Equal(0UL, resp.Index);
        Assert.Equal(0UL, r.R.Log.LastIndex());
    }

    [Fact]
    public void Snapshot_FollowerFarBehind_CatchesUpThroughTheNetwork()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Isolate(3);
        for (var i = 0; i < 20; i++)
        {
            nt.Propose(1, $"v{i}");
        }

        // The leader snapshots its state and compacts: 3 can only catch up from the snapshot.
        var leader = nt[1];
        var applied = leader.R.Log.Applied;
        leader.Storage.CreateSnapshot(applied, leader.Node.Status().Config, ByteString.CopyFromUtf8("state"), out _);
        leader.Storage.Compact(applied);
        nt.Recover();
        nt.TickAll(3);
        foreach (var m in nt.Delivered)
        {
            if (m.Type == MessageType.MsgSnap)
            {
                leader.Node.ReportSnapshot(m.To, SnapshotStatus.Finish);
            }
        }

        nt.TickAll(3);
        Assert.Equal(applied, nt[3].R.Log.Applied);
        Assert.Equal(leader.R.Log.LastIndex(), nt[3].R.Log.LastIndex());
        nt.Propose(1, "after");
        Assert.Equal("after", nt[3].AppliedData()[^1]);
    }

    [Fact]
    public void Snapshot_TemporarilyUnavailable_IsRetriedLater()
    {
        var storage = new UnavailableSnapshots(new MemoryRaftLog(Voters(1, 2)));
        storage.Inner.ApplySnapshot(Snap(10, 1, 1, 2));
        storage.Inner.Append([E(11, 1)]);
        storage.Inner.SetHardState(new HardState { Term = 1, Commit = 11 });
        var r = TestRaft.Create(1, storage.Inner, configure: c => c.Storage = storage);
        MakeLeader(r, ackNoop: false);
        r.Step(Msg(MessageType.MsgAppResp, 2, 1, term: r.R.Term, index: 11, reject: true, rejectHint: 3));
        Assert.Empty(r.ReadMessages().OfType(MessageType.MsgSnap));
        Assert.Equal(ProgressState.Probe, r.Node.Status().Progress[2].State);
        storage.Available = true;
        r.Step(Msg(MessageType.MsgHeartbeatResp, 2, 1, term: r.R.Term));
        Assert.Single(r.ReadMessages().OfType(MessageType.MsgSnap));
    }

    /// <summary>A storage that refuses snapshots until told otherwise.</summary>
    private sealed class UnavailableSnapshots(MemoryRaftLog inner) : IRaftLog
    {
        public MemoryRaftLog Inner { get; } = inner;

        public bool Available { get; set; }

        public RaftInitialState InitialState() => Inner.InitialState();

        public RaftLogStatus Entries(ulong lo, ulong hi, ulong maxSize, List<Entry> into) => Inner.Entries(lo, hi, maxSize, into);

        public RaftLogStatus Term(ulong index, out ulong term) => Inner.Term(index, out term);

        public ulong FirstIndex() => Inner.FirstIndex();

        public ulong LastIndex() => Inner.LastIndex();

        public RaftLogStatus Snapshot(out Snapshot snapshot)
        {
            if (!Available)
            {
                snapshot = new Snapshot();
                return RaftLogStatus.SnapshotTemporarilyUnavailable;
            }

            return Inner.Snapshot(out snapshot);
        }
    }
}

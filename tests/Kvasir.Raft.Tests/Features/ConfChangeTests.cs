using Google.Protobuf;
using Kvasir.Raft.Tests.Harness;
using static Kvasir.Raft.Tests.Harness.Fixtures;

namespace Kvasir.Raft.Tests.Features;

/// <summary>Membership changes: one at a time (ConfChange) and through joint consensus (ConfChangeV2).</summary>
public sealed class ConfChangeTests
{
    private static ConfChange Add(ulong id) => new() { Type = ConfChangeType.ConfChangeAddNode, NodeId = id };

    private static ConfChange Remove(ulong id) => new() { Type = ConfChangeType.ConfChangeRemoveNode, NodeId = id };

    private static ConfChangeV2 V2(ConfChangeTransition t, params (ConfChangeType Type, ulong Id)[] changes)
    {
        var cc = new ConfChangeV2 { Transition = t };
        foreach (var (type, id) in changes)
        {
            cc.Changes.Add(new ConfChangeSingle { Type = type, NodeId = id });
        }

        return cc;
    }

    /// <summary>A bootstrapped cluster of 1..n plus started, empty nodes for the ids in <paramref name="spare"/>.</summary>
    private static TestNetwork Cluster(int n, params ulong[] spare)
    {
        var nt = TestNetwork.Bootstrapped(n);
        foreach (var id in spare)
        {
            nt.Nodes[id] = TestRaft.Create(id, new MemoryRaftLog());
        }

        nt.Campaign(1);
        return nt;
    }

    [Fact]
    public void AddNode_Committed_NewVoterCatchesUpAndCounts()
    {
        var nt = Cluster(3, 4);
        nt.Propose(1, "a");
        Assert.Equal(ProposalResult.Accepted, nt[1].Node.ProposeConfChange(Add(4)));
        nt.Stabilize();
        nt.TickAll(2);
        Assert.Equal([1UL, 2UL, 3UL, 4UL], nt[1].ConfState!.Voters);
        Assert.Equal(["a"], nt[4].AppliedData());

        // With 4 voters, two cut off leave the leader without a quorum.
        nt.Isolate(3);
        nt.Isolate(4);
        nt.Propose(1, "b");
        Assert.Equal(["a"], nt[1].AppliedData());
    }

    [Fact]
    public void ProposeConfChange_WhileOneIsPending_IsRefused()
    {
        var nt = Cluster(3);
        nt.Isolate(2);
        nt.Isolate(3);
        Assert.Equal(ProposalResult.Accepted, nt[1].Node.ProposeConfChange(Add(4)));
        Assert.Equal(ProposalResult.ConfChangeRefused, nt[1].Node.ProposeConfChange(Add(5)));
        nt.Recover();
        nt.Stabilize();
        Assert.Equal(ProposalResult.Accepted, nt[1].Node.ProposeConfChange(Add(5)));
    }

    [Fact]
    public void ProposeConfChange_RemovingTheLastVoter_IsRefused()
    {
        var nt = Cluster(1);
        Assert.Equal(ProposalResult.ConfChangeRefused, nt[1].Node.ProposeConfChange(Remove(1)));
    }

    [Fact]
    public void ProposeConfChange_TwoVotersWithoutJointConsensus_IsRefused()
    {
        var nt = Cluster(3);
        var cc = V2(ConfChangeTransition.Auto, (ConfChangeType.ConfChangeAddNode, 4));
        cc.Changes.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddNode, NodeId = 5 });

        // With Auto and two changes the change goes through joint consensus: accepted.
        Assert.Equal(ProposalResult.Accepted, nt[1].Node.ProposeConfChange(cc));
    }

    [Fact]
    public void ProposeConfChange_LeavingWhenNotJoint_IsRefused()
    {
        var nt = Cluster(3);
        Assert.Equal(ProposalResult.ConfChangeRefused, nt[1].Node.ProposeConfChange(new ConfChangeV2()));
    }

    [Fact]
    public void ProposeConfChange_UndecodablePayloadForwarded_BecomesANoOp()
    {
        var nt = Cluster(3);
        var m = new Message { Type = MessageType.MsgProp, From = 2, To = 1 };
        m.Entries.Add(new Entry { Type = EntryType.EntryConfChange, Data = ByteString.CopyFrom(0xff, 0xff, 0xff) });
        m.Entries.Add(new Entry { Data = ByteString.CopyFromUtf8("kept") });
        Assert.Equal(StepResult.Ok, nt[1].Step(m));
        nt.Stabilize();
        Assert.Equal(["kept"], nt[1].AppliedData());
        Assert.DoesNotContain(nt[1].Applied, e => e.Type == EntryType.EntryConfChange && e.Index > 3);
    }

    [Fact]
    public void ApplyConfChange_Invalid_ThrowsAndChangesNothing()
    {
        var r = TestRaft.Create(1, [1]);
        var before = r.Node.Status().Config.Clone();
        Assert.Throws<ConfChangeException>(() => r.Node.ApplyConfChange(Remove(1)));
        Assert.Throws<ConfChangeException>(() => r.Node.ApplyConfChange(new ConfChangeV2()));
        Assert.Throws<ConfChangeException>(() => r.Node.ApplyConfChange(new ConfChange { Type = (ConfChangeType)42, NodeId = 2 }));
        Assert.Equal(before, r.Node.Status().Config);
    }

    [Fact]
    public void JointConsensus_AutoTransition_EntersThenLeavesByItself()
    {
        var nt = Cluster(3, 4, 5);
        var cc = V2(ConfChangeTransition.Auto,
            (ConfChangeType.ConfChangeAddNode, 4),
            (ConfChangeType.ConfChangeAddNode, 5),
            (ConfChangeType.ConfChangeRemoveNode, 3));
        Assert.Equal(ProposalResult.Accepted, nt[1].Node.ProposeConfChange(cc));
        nt.Stabilize();
        nt.TickAll(3);
        var cs = nt[1].Node.Status().Config;
        Assert.Equal([1UL, 2UL, 4UL, 5UL], cs.Voters);
        Assert.Empty(cs.VotersOutgoing);
        Assert.False(cs.AutoLeave);

        // Two entries applied: entering and leaving.
        var changes = nt[1].Applied.FindAll(e => e.Type == EntryType.EntryConfChangeV2);
        Assert.Equal(2, changes.Count);
    }

    [Fact]
    public void JointConsensus_ExplicitTransition_StaysJointUntilAskedToLeave()
    {
        var nt = Cluster(3, 4);
        var cc = V2(ConfChangeTransition.JointExplicit, (ConfChangeType.ConfChangeAddNode, 4), (ConfChangeType.ConfChangeRemoveNode, 1));
        Assert.Equal(ProposalResult.Accepted, nt[1].Node.ProposeConfChange(cc));
        nt.Stabilize();
        nt.TickAll(3);
        var cs = nt[1].Node.Status().Config;
        Assert.Equal([2UL, 3UL, 4UL], cs.Voters);
        Assert.Equal([1UL, 2UL, 3UL], cs.VotersOutgoing);

        // While joint, any change but leaving is refused.
        Assert.Equal(ProposalResult.ConfChangeRefused, nt[1].Node.ProposeConfChange(Add(5)));
        Assert.Equal(ProposalResult.Accepted, nt[1].Node.ProposeConfChange(new ConfChangeV2()));
        nt.Stabilize();

        // 1 is no longer a voter: it hands leadership over; the target campaigns as soon as it
        // has applied the change too.
        var leader = nt.Leader();
        Assert.NotEqual(0UL, leader);
        Assert.NotEqual(1UL, leader);
        cs = nt[leader].Node.Status().Config;
        Assert.Equal([2UL, 3UL, 4UL], cs.Voters);
        Assert.Empty(cs.VotersOutgoing);
    }

    [Fact]
    public void JointConsensus_Commit_NeedsAQuorumOfBothHalves()
    {
        var nt = Cluster(3, 4, 5, 6);
        var cc = V2(ConfChangeTransition.JointExplicit,
            (ConfChangeType.ConfChangeAddNode, 4), (ConfChangeType.ConfChangeAddNode, 5), (ConfChangeType.ConfChangeAddNode, 6),
            (ConfChangeType.ConfChangeRemoveNode, 2), (ConfChangeType.ConfChangeRemoveNode, 3));
        nt[1].Node.ProposeConfChange(cc);
        nt.Stabilize();
        nt.TickAll(3);
        Assert.Equal([1UL, 2UL, 3UL], nt[1].Node.Status().Config.VotersOutgoing);

        // New half (1 4 5 6) has a quorum without 2 and 3, the old half (1 2 3) does not.
        nt.Isolate(2);
        nt.Isolate(3);
        var before = nt[1].R.Log.Committed;
        nt.Propose(1, "x");
        Assert.Equal(before, nt[1].R.Log.Committed);
    }

    [Fact]
    public void RemoveLeader_HandsLeadershipToAVoterThatTakesOver()
    {
        var nt = Cluster(3);
        nt.Propose(1, "a");
        Assert.Equal(ProposalResult.Accepted, nt[1].Node.ProposeConfChange(Remove(1)));
        nt.Stabilize();
        Assert.Equal(ProposalResult.NotInConfiguration, nt[1].Propose("x"));

        // The new leader campaigned among the new voters; 1 learns the new term from their
        // answers to its next heartbeat.
        nt.TickAll(1);
        var leader = nt.Leader();
        Assert.True(leader is 2 or 3, $"leader is {leader}");
        Assert.Equal(StateType.Follower, nt[1].R.State);
        Assert.Equal([2UL, 3UL], nt[leader].Node.Status().Config.Voters);
        nt.Propose(leader, "after");
        Assert.Equal("after", nt[leader == 2 ? 3UL : 2UL].AppliedData()[^1]);
    }

    [Fact]
    public void RemovedLeader_StillLeading_RefusesProposals()
    {
        var nt = Cluster(3);
        nt.Isolate(2);
        nt.Isolate(3);
        nt.Recover();
        nt.Ignore(MessageType.MsgTimeoutNow);
        nt[1].Node.ProposeConfChange(Remove(1));
        nt.Stabilize();
        Assert.Equal(StateType.Leader, nt[1].R.State);
        Assert.Equal(ProposalResult.NotInConfiguration, nt[1].Propose("x"));
    }

    [Fact]
    public void Bootstrap_NewCluster_StartsWithItsPeersCommitted()
    {
        var r = TestRaft.Create(1, new MemoryRaftLog());
        r.Node.Bootstrap([new Peer(1, ByteString.Empty), new Peer(2, ByteString.CopyFromUtf8("ctx"))]);
        var rd = r.Node.Ready();
        Assert.Equal(2, rd.Entries.Count);
        Assert.Equal(2, rd.CommittedEntries.Count);
        Assert.Equal(1UL, rd.HardState!.Term);
        Assert.Equal(2UL, rd.HardState.Commit);
        Assert.Equal("ctx", ConfChange.Parser.ParseFrom(rd.CommittedEntries[1].Data).Context.ToStringUtf8());
        Assert.Equal([1UL, 2UL], r.Node.Status().Config.Voters);
    }

    [Fact]
    public void Bootstrap_BadInput_ThrowsAndChangesNothing()
    {
        var r = TestRaft.Create(1, new MemoryRaftLog());
        Assert.Throws<ArgumentException>(() => r.Node.Bootstrap([]));
        Assert.Throws<ArgumentException>(() => r.Node.Bootstrap([new Peer(0, ByteString.Empty)]));
        Assert.Throws<ArgumentException>(() => r.Node.Bootstrap([new Peer(1, ByteString.Empty), new Peer(1, ByteString.Empty)]));
        Assert.False(r.Node.HasReady());
        Assert.Empty(r.Node.Status().Config.Voters);

        var used = TestRaft.Create(1, [1, 2]);
        used.Node.Campaign();
        used.ReadMessages();
        var existing = Storage([1], Log(1));
        var full = TestRaft.Create(1, existing);
        Assert.Throws<InvalidOperationException>(() => full.Node.Bootstrap([new Peer(1, ByteString.Empty)]));
    }
}

using Kvasir.Raft.Tests.Harness;
using static Kvasir.Raft.Tests.Harness.Fixtures;

namespace Kvasir.Raft.Tests.Features;

/// <summary>Learners: members that replicate the log but neither vote nor count for the commit.</summary>
public sealed class LearnerTests
{
    private static TestNetwork VotersAndLearner()
    {
        var n1 = TestRaft.Create(1, [1, 2], learners: [3]);
        var n2 = TestRaft.Create(2, [1, 2], learners: [3]);
        var n3 = TestRaft.Create(3, [1, 2], learners: [3]);
        return new TestNetwork(n1, n2, n3);
    }

    [Fact]
    public void Learner_ElectionTimeout_DoesNotCampaign()
    {
        var nt = VotersAndLearner();
        nt[3].SetElectionTimeout(10);
        nt[3].Tick(50);
        Assert.Equal(StateType.Follower, nt[3].R.State);
        Assert.Empty(nt[3].ReadMessages());
        nt[3].Node.Campaign();
        Assert.Equal(StateType.Follower, nt[3].R.State);
    }

    [Fact]
    public void Learner_ReceivesEveryEntry_ButIsNotCountedForTheCommit()
    {
        var nt = VotersAndLearner();
        nt.Campaign(1);
        nt.Propose(1, "a");
        Assert.Equal(["a"], nt[3].AppliedData());

        // With the other voter cut off, the learner's acknowledgement does not commit anything.
        nt.Isolate(2);
        nt.Propose(1, "b");
        Assert.Equal(3UL, nt[3].R.Log.LastIndex());
        Assert.True(nt[1].R.Log.Committed < 3);
        Assert.Equal(["a"], nt[1].AppliedData());
    }

    [Fact]
    public void Learner_Promotion_LetsItVoteAndCampaign()
    {
        var nt = VotersAndLearner();
        nt.Campaign(1);
        nt.Propose(1, "a");
        Assert.Equal(ProposalResult.Accepted, nt[1].Node.ProposeConfChange(new ConfChange { Type = ConfChangeType.ConfChangeAddNode, NodeId = 3 }));
        nt.Stabilize();
        Assert.False(nt[3].R.IsLearner);
        Assert.Equal([1UL, 2UL, 3UL], nt[1].ConfState!.Voters);
        Assert.Empty(nt[1].ConfState!.Learners);
        nt.Campaign(3);
        Assert.Equal(StateType.Leader, nt[3].R.State);
    }

    [Fact]
    public void Learner_AddedToARunningCluster_CatchesUp()
    {
        var nt = TestNetwork.Bootstrapped(3);
        nt.Campaign(1);
        nt.Propose(1, "a");
        nt.Propose(1, "b");
        var joiner = TestRaft.Create(4, new MemoryRaftLog());
        nt.Nodes[4] = joiner;
        Assert.Equal(ProposalResult.Accepted, nt[1].Node.ProposeConfChange(new ConfChange { Type = ConfChangeType.ConfChangeAddLearnerNode, NodeId = 4 }));
        nt.Stabilize();
        nt.TickAll(2);
        Assert.Equal(["a", "b"], joiner.AppliedData());
        Assert.True(joiner.R.IsLearner);
        var progress = nt[1].Node.Status().Progress[4];
        Assert.True(progress.IsLearner);
        Assert.Equal(nt[1].R.Log.LastIndex(), progress.Match);
    }

    [Fact]
    public void Learner_VoteRequest_IsAnswered()
    {
        // A learner promoted without knowing it yet may be needed by a candidate that knows:
        // learners answer vote requests.
        var r = TestRaft.Create(3, [1, 2], learners: [3]);
        r.Step(Msg(MessageType.MsgVote, 1, 3, term: 2));
        var resp = Assert.Single(r.ReadMessages());
        Assert.Equal(MessageType.MsgVoteResp, resp.Type);
        Assert.False(resp.Reject);
    }
}

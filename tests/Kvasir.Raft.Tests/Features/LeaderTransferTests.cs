using Kvasir.Raft.Tests.Harness;

namespace Kvasir.Raft.Tests.Features;

/// <summary>Leader transfer (thesis §3.10): catch the target up, then tell it to campaign now.</summary>
public sealed class LeaderTransferTests
{
    [Fact]
    public void TransferLeader_ToAnUpToDateFollower_MakesItLeaderAtOnce()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Propose(1, "a");
        nt[1].Node.TransferLeader(2);
        nt.Stabilize();
        Assert.Equal(StateType.Leader, nt[2].R.State);
        Assert.Equal(StateType.Follower, nt[1].R.State);
        Assert.Equal(2UL, nt[1].R.Lead);
    }

    [Fact]
    public void TransferLeader_ToALaggingFollower_CatchesItUpFirst()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Isolate(3);
        nt.Propose(1, "a");
        nt.Propose(1, "b");
        nt.Recover();
        Assert.True(nt[3].R.Log.LastIndex() < nt[1].R.Log.LastIndex());
        nt[1].Node.TransferLeader(3);
        nt.Stabilize();
        Assert.Equal(StateType.Leader, nt[3].R.State);
        Assert.Equal(["a", "b"], nt[3].AppliedData());
    }

    [Fact]
    public void TransferLeader_InProgress_DropsProposals()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Isolate(3);
        nt.Propose(1, "a");
        nt[1].Node.TransferLeader(3);
        Assert.Equal(3UL, nt[1].R.LeadTransferee);
        Assert.Equal(ProposalResult.LeaderTransferInProgress, nt[1].Propose("b"));
    }

    [Fact]
    public void TransferLeader_NotDoneWithinElectionTimeout_IsAbandoned()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Isolate(3);
        nt[1].Node.TransferLeader(3);
        nt.Stabilize();
        for (var i = 0; i < 10; i++)
        {
            nt[1].Tick();
            nt.Stabilize();
        }

        Assert.Equal(0UL, nt[1].R.LeadTransferee);
        Assert.Equal(StateType.Leader, nt[1].R.State);
        Assert.Equal(ProposalResult.Accepted, nt[1].Propose("after"));
    }

    [Theory]
    [InlineData(1UL)] // itself
    [InlineData(9UL)] // not a member
    public void TransferLeader_ToItselfOrANonMember_IsIgnored(ulong target)
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt[1].Node.TransferLeader(target);
        nt.Stabilize();
        Assert.Equal(StateType.Leader, nt[1].R.State);
        Assert.Equal(0UL, nt[1].R.LeadTransferee);
    }

    [Fact]
    public void TransferLeader_ToALearner_IsIgnored()
    {
        var l = TestRaft.Create(1, [1, 2], learners: [3]);
        var f = TestRaft.Create(2, [1, 2], learners: [3]);
        var learner = TestRaft.Create(3, [1, 2], learners: [3]);
        var nt = new TestNetwork(l, f, learner);
        nt.Campaign(1);
        nt[1].Node.TransferLeader(3);
        nt.Stabilize();
        Assert.Equal(StateType.Leader, nt[1].R.State);
        Assert.Equal(0UL, nt[1].R.LeadTransferee);
    }

    [Fact]
    public void TransferLeader_AskedOnAFollower_IsForwardedToTheLeader()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt[3].Node.TransferLeader(2);
        nt.Stabilize();
        Assert.Equal(StateType.Leader, nt[2].R.State);
    }

    [Fact]
    public void TransferLeader_ToAnotherWhileInProgress_ReplacesTheTarget()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Isolate(3);
        nt[1].Node.TransferLeader(3);
        Assert.Equal(3UL, nt[1].R.LeadTransferee);
        nt.Recover();
        nt.Isolate(3);
        nt[1].Node.TransferLeader(2);
        nt.Stabilize();
        Assert.Equal(StateType.Leader, nt[2].R.State);
    }
}

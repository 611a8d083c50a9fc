using Kvasir.Raft.Tests.Harness;
using static Kvasir.Raft.Tests.Harness.Fixtures;

namespace Kvasir.Raft.Tests.Features;

/// <summary>Check-quorum: a leader that cannot hear a quorum steps down; followers honour a leader's lease.</summary>
public sealed class CheckQuorumTests
{
    private static void CheckQuorumOn(RaftConfig c) => c.CheckQuorum = true;

    [Fact]
    public void CheckQuorum_LeaderCutOffFromQuorum_StepsDownWithinTwoElectionTimeouts()
    {
        var nt = TestNetwork.OfVoters(3, CheckQuorumOn);
        nt.Campaign(1);
        nt.Isolate(1);
        for (var i = 0; i < 20 && nt[1].R.State == StateType.Leader; i++)
        {
            nt[1].Tick();
            nt.Stabilize();
        }

        Assert.Equal(StateType.Follower, nt[1].R.State);
        Assert.Equal(0UL, nt[1].R.Lead);
    }

    [Fact]
    public void CheckQuorum_LeaderHearingFromQuorum_StaysLeader()
    {
        var nt = TestNetwork.OfVoters(3, CheckQuorumOn);
        nt.Campaign(1);
        nt.Isolate(3);
        nt.Recover();
        nt.Cut(1, 3);
        for (var i = 0; i < 40; i++)
        {
            nt[1].Tick();
            nt.Stabilize();
        }

        Assert.Equal(StateType.Leader, nt[1].R.State);
    }

    [Fact]
    public void CheckQuorum_FollowerWithinLease_IgnoresVoteRequests()
    {
        // A follower that heard from its leader within the election timeout neither raises its
        // term nor votes (§4.2.3 of the thesis).
        var nt = TestNetwork.OfVoters(3, CheckQuorumOn);
        nt.Campaign(1);
        var term = nt[2].R.Term;
        nt[2].Step(Msg(MessageType.MsgVote, 3, 2, term: term + 1, index: 10, logTerm: term));
        Assert.Empty(nt[2].ReadMessages());
        Assert.Equal(term, nt[2].R.Term);
    }

    [Fact]
    public void CheckQuorum_LeaderTransfer_ForcesVotesInsideTheLease()
    {
        var nt = TestNetwork.OfVoters(3, CheckQuorumOn);
        nt.Campaign(1);
        nt[1].Node.TransferLeader(2);
        nt.Stabilize();
        Assert.Equal(StateType.Leader, nt[2].R.State);
    }

    [Fact]
    public void CheckQuorum_StaleHigherTermNode_IsFreedByItsAnswerToTheLeader()
    {
        // A node that raised its term in a partition answers the leader's lower-term appends at
        // its own term; the leader steps down and a new election lets everyone move on.
        var nt = TestNetwork.OfVoters(3, CheckQuorumOn);
        nt.Campaign(1);
        nt.Isolate(3);
        nt[3].SetElectionTimeout(10);
        nt[3].Tick(10);
        nt.Stabilize();
        Assert.Equal(2UL, nt[3].R.Term);
        nt.Recover();
        nt.TickAll(1);
        Assert.NotEqual(StateType.Leader, nt[1].R.State);
        for (var i = 0; i < 60 && nt.Leader() == 0; i++)
        {
            nt.TickAll(1);
        }

        Assert.NotEqual(0UL, nt.Leader());
        nt.Propose(nt.Leader(), "after");
        Assert.All(nt.Nodes.Values, n => Assert.Equal(["after"], n.AppliedData()));
    }
}

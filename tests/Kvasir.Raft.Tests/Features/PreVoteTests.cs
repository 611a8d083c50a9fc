using Kvasir.Raft.Tests.Harness;
using static Kvasir.Raft.Tests.Harness.Fixtures;

namespace Kvasir.Raft.Tests.Features;

/// <summary>Pre-vote (thesis §9.6): asking before raising the term.</summary>
public sealed class PreVoteTests
{
    private static void PreVoteOn(RaftConfig c) => c.PreVote = true;

    [Fact]
    public void PreVote_PartitionedCandidateRejoins_DoesNotDisruptTheLeader()
    {
        // A node cut off from the others keeps timing out, but with pre-vote it never wins a
        // pre-vote, so its term stays put and the leader is not deposed when it returns.
        var nt = TestNetwork.OfVoters(3, PreVoteOn);
        nt.Campaign(1);
        nt.Isolate(3);
        for (var i = 0; i < 5; i++)
        {
            nt[3].Node.Campaign();
            nt.Stabilize();
        }

        Assert.Equal(StateType.PreCandidate, nt[3].R.State);
        Assert.Equal(1UL, nt[3].R.Term);
        nt.Recover();
        nt.TickAll(2);
        Assert.Equal(StateType.Leader, nt[1].R.State);
        Assert.Equal(1UL, nt[1].R.Term);
        Assert.Equal(1UL, nt[3].R.Lead);
    }

    [Fact]
    public void PreVote_WithoutPreVote_ARejoiningNodeDisruptsTheLeader()
    {
        // The contrast: without pre-vote the isolated node raises its term, and its return
        // forces an election.
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Isolate(3);
        nt.Campaign(3);
        nt.Campaign(3);
        Assert.Equal(3UL, nt[3].R.Term);
        nt.Recover();
        nt.TickAll(2);
        Assert.True(nt[1].R.Term >= 3);
    }

    [Fact]
    public void PreVote_Campaign_DoesNotChangeTermOrVote()
    {
        var r = Node(1, [1, 2, 3], configure: PreVoteOn);
        r.Node.Campaign();
        Assert.Equal(StateType.PreCandidate, r.R.State);
        Assert.Equal(0UL, r.R.Term);
        Assert.Equal(0UL, r.R.Vote);
        var msgs = r.ReadMessages();
        Assert.All(msgs, m =>
        {
            Assert.Equal(MessageType.MsgPreVote, m.Type);
            Assert.Equal(1UL, m.Term);
        });
    }

    [Fact]
    public void PreVote_QuorumGrants_StartsTheRealElection()
    {
        var r = Node(1, [1, 2, 3], configure: PreVoteOn);
        r.Node.Campaign();
        r.ReadMessages();
        r.Step(Msg(MessageType.MsgPreVoteResp, 2, 1, term: 1));
        Assert.Equal(StateType.Candidate, r.R.State);
        Assert.Equal(1UL, r.R.Term);
        var votes = r.ReadMessages().OfType(MessageType.MsgVote);
        Assert.Equal(2, votes.Count);
    }

    [Fact]
    public void PreVote_Rejections_ReturnToFollowerAtOurTerm()
    {
        var r = Node(1, [1, 2, 3], term: 2, configure: PreVoteOn);
        r.Node.Campaign();
        r.ReadMessages();
        r.Step(Msg(MessageType.MsgPreVoteResp, 2, 1, term: 2, reject: true));
        r.Step(Msg(MessageType.MsgPreVoteResp, 3, 1, term: 2, reject: true));
        Assert.Equal(StateType.Follower, r.R.State);
        Assert.Equal(2UL, r.R.Term);
    }

    [Fact]
    public void PreVote_RejectionFromAHigherTerm_AdoptsThatTerm()
    {
        var r = Node(1, [1, 2, 3], term: 2, configure: PreVoteOn);
        r.Node.Campaign();
        r.ReadMessages();
        r.Step(Msg(MessageType.MsgPreVoteResp, 2, 1, term: 7, reject: true));
        Assert.Equal(StateType.Follower, r.R.State);
        Assert.Equal(7UL, r.R.Term);
    }

    [Fact]
    public void PreVote_VoterAtTermZeroWithALongerLog_RejectsAtTermZero()
    {
        // A node that persisted entries but never a term (a crash cut its first write short).
        var s = new MemoryRaftLog(Voters(1, 2, 3));
        s.Append(Log(1, 1));
        var r = TestRaft.Create(1, s);
        Assert.Equal(StateType.Follower, r.R.State);
        Assert.Equal(StepResult.Ok, r.Step(Msg(MessageType.MsgPreVote, 2, 1, term: 1, index: 0, logTerm: 0)));
        var resp = Assert.Single(r.ReadMessages());
        Assert.True(resp.Reject);
        Assert.Equal(0UL, resp.Term);

        // ... which the pre-candidate counts.
        var c = Node(2, [1, 2, 3], configure: PreVoteOn);
        c.Node.Campaign();
        c.ReadMessages();
        Assert.Equal(StepResult.Ok, c.Step(resp));
        Assert.Equal(StepResult.Ok, c.Step(Msg(MessageType.MsgPreVoteResp, 3, 2, term: 0, reject: true)));
        Assert.Equal(StateType.Follower, c.R.State);
    }

    [Fact]
    public void PreVote_Voter_GrantsWithoutChangingItsTermOrVote()
    {
        var r = Node(1, [1, 2, 3], term: 2);
        r.Step(Msg(MessageType.MsgPreVote, 2, 1, term: 3));
        var resp = Assert.Single(r.ReadMessages());
        Assert.Equal(MessageType.MsgPreVoteResp, resp.Type);
        Assert.False(resp.Reject);
        Assert.Equal(3UL, resp.Term);
        Assert.Equal(2UL, r.R.Term);
        Assert.Equal(0UL, r.R.Vote);
    }

    [Fact]
    public void PreVote_FromALowerTerm_IsRejectedExplicitly()
    {
        // Dropping it could leave a candidate with a longer log waiting forever.
        var r = Node(1, [1, 2, 3], term: 5);
        r.Step(Msg(MessageType.MsgPreVote, 2, 1, term: 3));
        var resp = Assert.Single(r.ReadMessages());
        Assert.True(resp.Reject);
        Assert.Equal(5UL, resp.Term);
    }

    [Fact]
    public void PreVote_ResponseCarryingACommitOurLogHolds_IsLearned()
    {
        // A voter's answer tells its commit index; a candidate holding that entry learns it.
        var r = Node(1, [1, 2, 3], Log(1, 1, 1), term: 1, configure: PreVoteOn);
        r.Node.Campaign();
        r.ReadMessages();
        r.Step(Msg(MessageType.MsgPreVoteResp, 2, 1, term: 2, reject: true, commit: 2, logTerm: 1));
        Assert.Equal(2UL, r.R.Log.Committed);
    }

    [Fact]
    public void PreVote_ResponseCarryingACommitOurLogDoesNotHold_IsIgnored()
    {
        var r = Node(1, [1, 2, 3], Log(1, 1, 1), term: 1, configure: PreVoteOn);
        r.Node.Campaign();
        r.ReadMessages();
        r.Step(Msg(MessageType.MsgPreVoteResp, 2, 1, term: 2, reject: true, commit: 3, logTerm: 2));
        r.Step(Msg(MessageType.MsgPreVoteResp, 3, 1, term: 2, reject: true, commit: 9, logTerm: 1));
        Assert.Equal(0UL, r.R.Log.Committed);
    }
}

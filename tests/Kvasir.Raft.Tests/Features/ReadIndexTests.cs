using Google.Protobuf;
using Kvasir.Raft.Tests.Harness;
using static Kvasir.Raft.Tests.Harness.Fixtures;

namespace Kvasir.Raft.Tests.Features;

/// <summary>ReadIndex (thesis §6.4): linearizable reads without writing to the log.</summary>
public sealed class ReadIndexTests
{
    private static ByteString Ctx(string s) => ByteString.CopyFromUtf8(s);

    [Fact]
    public void ReadIndex_Safe_AnswersOnlyAfterAQuorumConfirmsLeadership()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Propose(1, "a");
        var leader = nt[1];
        Assert.Equal(ProposalResult.Accepted, leader.Node.ReadIndex(Ctx("r1")));

        // The heartbeat round goes out with the next Ready; nothing is answered before acks.
        var msgs = leader.ReadMessages();
        Assert.Empty(leader.ReadStates);
        var beats = msgs.OfType(MessageType.MsgHeartbeat);
        Assert.Equal(2, beats.Count);
        Assert.All(beats, m => Assert.Equal(8, m.Context.Length));

        // One acknowledgement makes a quorum with the leader.
        nt.Deliver(beats[0]);
        foreach (var m in nt[beats[0].To].ReadMessages())
        {
            nt.Deliver(m);
        }

        leader.ReadMessages();
        var rs = Assert.Single(leader.ReadStates);
        Assert.Equal("r1", rs.RequestCtx.ToStringUtf8());
        Assert.Equal(leader.R.Log.Committed, rs.Index);
    }

    [Fact]
    public void ReadIndex_Safe_ManyReadsShareOneHeartbeatRound()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        var leader = nt[1];
        for (var i = 0; i < 10; i++)
        {
            leader.Node.ReadIndex(Ctx($"r{i}"));
        }

        var beats = leader.ReadMessages().OfType(MessageType.MsgHeartbeat);
        Assert.Equal(2, beats.Count);
        foreach (var b in beats)
        {
            nt.Deliver(b);
        }

        nt.Stabilize();
        Assert.Equal(10, leader.ReadStates.Count);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal($"r{i}", leader.ReadStates[i].RequestCtx.ToStringUtf8());
        }
    }

    [Fact]
    public void ReadIndex_Safe_LeaderCutOffFromQuorum_NeverAnswers()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Isolate(1);
        nt[1].Node.ReadIndex(Ctx("r"));
        nt.TickAll(5);
        Assert.Empty(nt[1].ReadStates);
    }

    private static void LeaseOn(RaftConfig c)
    {
        c.CheckQuorum = true;
        c.ReadOnlyOption = ReadOnlyOption.LeaseBased;
    }

    [Fact]
    public void ReadIndex_LeaseBased_WithinTheLease_AnswersAtOnce()
    {
        var nt = TestNetwork.OfVoters(3, LeaseOn);
        nt.Campaign(1);
        nt.Propose(1, "a");
        nt.TickAll(1);
        nt[1].Node.ReadIndex(Ctx("r"));
        var msgs = nt[1].ReadMessages();
        Assert.Empty(msgs.OfType(MessageType.MsgHeartbeat));
        var rs = Assert.Single(nt[1].ReadStates);
        Assert.Equal(nt[1].R.Log.Committed, rs.Index);
    }

    [Fact]
    public void ReadIndex_LeaseBased_NoHeartbeatAnsweredYet_FallsBackToAHeartbeatRound()
    {
        var nt = TestNetwork.OfVoters(3, LeaseOn);
        nt.Campaign(1);
        nt[1].Node.ReadIndex(Ctx("r"));
        var beats = nt[1].ReadMessages().OfType(MessageType.MsgHeartbeat);
        Assert.Equal(2, beats.Count);
        Assert.Empty(nt[1].ReadStates);

        // The round's answers confirm it.
        foreach (var b in beats)
        {
            nt.Deliver(b);
        }

        nt.Stabilize();
        Assert.Equal("r", Assert.Single(nt[1].ReadStates).RequestCtx.ToStringUtf8());
    }

    [Fact]
    public void ReadIndex_LeaseBased_LeaseRunsOut_WhenAQuorumStopsAnswering()
    {
        // The lease rests on answers to heartbeats sent at most ElectionTick - 2 ticks ago: a
        // leader cut off answers nothing by lease after that, though check-quorum has not yet
        // deposed it (it may take up to two election timeouts).
        var nt = TestNetwork.OfVoters(3, LeaseOn);
        nt.Campaign(1);
        nt.TickAll(1);
        nt.Isolate(1);
        for (var i = 0; i < 9; i++)
        {
            nt[1].Tick();
            nt.Stabilize();
        }

        Assert.Equal(StateType.Leader, nt[1].R.State);
        nt[1].Node.ReadIndex(Ctx("r"));
        nt.Stabilize();
        Assert.Empty(nt[1].ReadStates);
    }

    [Fact]
    public void ReadIndex_LeaseBased_AfterSendingTimeoutNow_NoLongerTrustsTheLease()
    {
        // TimeoutNow lets the target win at once, inside the followers' lease.
        var nt = TestNetwork.OfVoters(3, LeaseOn);
        nt.Campaign(1);
        nt.TickAll(1);
        nt.Ignore(MessageType.MsgTimeoutNow);
        nt[1].Node.TransferLeader(2);
        nt.Stabilize();
        nt.Recover();
        nt.Isolate(1);
        nt[1].Node.ReadIndex(Ctx("r"));
        nt.Stabilize();
        Assert.Empty(nt[1].ReadStates);
    }

    [Fact]
    public void ReadIndex_LeaseBased_RestartedFollower_RefusesVotesForAnElectionTimeout()
    {
        // The follower's promise not to vote is not persisted: after a restart it keeps it for an
        // election timeout anyway, or a leader's lease could outlive it.
        var nt = TestNetwork.OfVoters(3, LeaseOn);
        nt.Campaign(1);
        nt.TickAll(1);
        var f = nt[2];
        f.Restart(LeaseOn, applied: f.R.Log.Applied);
        f.Step(Msg(MessageType.MsgVote, 3, 2, term: f.R.Term + 1, index: 100, logTerm: f.R.Term));
        Assert.Empty(f.ReadMessages());
        f.Tick(10);
        f.ReadMessages();
        f.Step(Msg(MessageType.MsgVote, 3, 2, term: f.R.Term + 1, index: 100, logTerm: f.R.Term));
        Assert.Contains(f.ReadMessages(), m => m.Type == MessageType.MsgVoteResp && !m.Reject);
    }

    [Fact]
    public void ReadIndex_OnAFollower_IsForwardedAndAnsweredWithTheLeadersCommit()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Propose(1, "a");
        Assert.Equal(ProposalResult.Accepted, nt[2].Node.ReadIndex(Ctx("f")));
        nt.Stabilize();
        var rs = Assert.Single(nt[2].ReadStates);
        Assert.Equal("f", rs.RequestCtx.ToStringUtf8());
        Assert.Equal(nt[1].R.Log.Committed, rs.Index);
        Assert.Empty(nt[1].ReadStates);
    }

    [Fact]
    public void ReadIndex_NewLeaderBeforeCommittingInItsTerm_HoldsTheRequest()
    {
        // Until the leader commits an entry of its own term, its commit index may be behind what
        // the previous leader committed: the read waits.
        var r = Node(1, [1, 2, 3]);
        MakeLeader(r, ackNoop: false);
        r.Node.ReadIndex(Ctx("early"));
        r.ReadMessages();
        r.Step(Msg(MessageType.MsgHeartbeatResp, 2, 1, term: r.R.Term));
        r.ReadMessages();
        Assert.Empty(r.ReadStates);

        // The empty entry commits: the held request goes through the usual confirmation.
        r.Step(Msg(MessageType.MsgAppResp, 2, 1, term: r.R.Term, index: r.R.Log.LastIndex()));
        var beats = r.ReadMessages().OfType(MessageType.MsgHeartbeat);
        var ctx = beats[0].Context;
        r.Step(new Message { Type = MessageType.MsgHeartbeatResp, From = 2, To = 1, Term = r.R.Term, Context = ctx });
        r.ReadMessages();
        var rs = Assert.Single(r.ReadStates);
        Assert.Equal(r.R.Log.Committed, rs.Index);
    }

    [Fact]
    public void ReadIndex_LeaderHoldingTooManyUnconfirmed_RefusesMore()
    {
        var nt = TestNetwork.OfVoters(3, c => c.MaxPendingReadIndex = 3);
        nt.Campaign(1);
        nt.Isolate(1);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(ProposalResult.Accepted, nt[1].Node.ReadIndex(Ctx($"r{i}")));
        }

        Assert.Equal(ProposalResult.TooManyPendingReads, nt[1].Node.ReadIndex(Ctx("r3")));

        // Once confirmed, there is room again.
        nt.Recover();
        nt.TickAll(1);
        Assert.Equal(3, nt[1].ReadStates.Count);
        Assert.Equal(ProposalResult.Accepted, nt[1].Node.ReadIndex(Ctx("r4")));
    }

    [Fact]
    public void ReadIndex_NoLeader_IsDropped()
    {
        var r = Node(1, [1, 2, 3]);
        Assert.Equal(ProposalResult.NoLeader, r.Node.ReadIndex(Ctx("x")));
        r.Node.Campaign();
        Assert.Equal(ProposalResult.NoLeader, r.Node.ReadIndex(Ctx("y")));
        Assert.Empty(r.ReadMessages().OfType(MessageType.MsgReadIndex));
    }

    [Fact]
    public void ReadIndex_SingleVoter_IsAnsweredAtOnce()
    {
        var r = Node(1, [1]);
        MakeLeader(r);
        r.Node.ReadIndex(Ctx("solo"));
        r.ReadMessages();
        var rs = Assert.Single(r.ReadStates);
        Assert.Equal(r.R.Log.Committed, rs.Index);
    }

    [Fact]
    public void ReadIndex_AcknowledgementFromAStaleHeartbeat_DoesNotConfirmALaterRead()
    {
        // A heartbeat sent before a read cannot confirm it: its echo carries an earlier number.
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        var leader = nt[1];
        leader.Node.ReadIndex(Ctx("first"));
        var first = leader.ReadMessages().OfType(MessageType.MsgHeartbeat);
        leader.Node.ReadIndex(Ctx("second"));
        leader.ReadMessages();
        nt.Deliver(first[0]);
        foreach (var m in nt[first[0].To].ReadMessages())
        {
            nt.Deliver(m);
        }

        leader.ReadMessages();
        var rs = Assert.Single(leader.ReadStates);
        Assert.Equal("first", rs.RequestCtx.ToStringUtf8());
    }

    [Fact]
    public void ReadIndex_HeartbeatContextOfAnotherShape_IsIgnored()
    {
        var r = Node(1, [1, 2, 3]);
        MakeLeader(r);
        r.Node.ReadIndex(Ctx("x"));
        r.ReadMessages();
        r.Step(new Message { Type = MessageType.MsgHeartbeatResp, From = 2, To = 1, Term = r.R.Term, Context = Ctx("bogus") });
        r.ReadMessages();
        Assert.Empty(r.ReadStates);
    }
}

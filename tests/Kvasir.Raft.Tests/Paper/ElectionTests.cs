using Google.Protobuf;
using Kvasir.Raft.Tests.Harness;
using static Kvasir.Raft.Tests.Harness.Fixtures;

namespace Kvasir.Raft.Tests.Paper;

/// <summary>Leader election, after §5.2 and §5.4.1 of the Raft paper.</summary>
public sealed class ElectionTests
{
    [Fact]
    public void New_Node_StartsAsFollower()
    {
        var r = Node(1, [1, 2, 3]);
        Assert.Equal(StateType.Follower, r.R.State);
        Assert.Equal(0UL, r.R.Term);
        Assert.Equal(0UL, r.R.Lead);
    }

    [Theory]
    [InlineData(StateType.Follower)]
    [InlineData(StateType.Candidate)]
    [InlineData(StateType.Leader)]
    public void Step_MessageWithHigherTerm_UpdatesTermAndBecomesFollower(StateType state)
    {
        // §5.1: if one server's current term is smaller than the other's, it updates its term;
        // a candidate or leader that discovers a higher term reverts to follower.
        var r = Node(1, [1, 2, 3]);
        if (state == StateType.Candidate)
        {
            r.Node.Campaign();
        }
        else if (state == StateType.Leader)
        {
            MakeLeader(r);
        }

        r.Step(Msg(MessageType.MsgApp, 2, 1, term: 5));
        Assert.Equal(StateType.Follower, r.R.State);
        Assert.Equal(5UL, r.R.Term);
        Assert.Equal(2UL, r.R.Lead);
    }

    [Fact]
    public void Step_AppendWithLowerTerm_IsRejectedWithOurTerm()
    {
        // §5.1: a request with a stale term number is rejected, and the reply carries the
        // current term so that the stale leader steps down.
        var r = Node(1, [1, 2, 3], term: 5);
        r.ReadMessages();
        r.Step(Msg(MessageType.MsgApp, 2, 1, term: 4, entries: E(1, 4)));
        Assert.Equal(5UL, r.R.Term);
        Assert.Equal(0UL, r.R.Log.LastIndex());
        var resp = Assert.Single(r.ReadMessages());
        Assert.Equal(MessageType.MsgAppResp, resp.Type);
        Assert.Equal(5UL, resp.Term);
    }

    [Fact]
    public void Step_VoteRequestWithLowerTerm_IsRejectedWithOurTerm()
    {
        var r = Node(1, [1, 2, 3], term: 5);
        r.Step(Msg(MessageType.MsgVote, 2, 1, term: 4, index: 9, logTerm: 4));
        var resp = Assert.Single(r.ReadMessages());
        Assert.Equal(MessageType.MsgVoteResp, resp.Type);
        Assert.True(resp.Reject);
        Assert.Equal(5UL, resp.Term);
        Assert.Equal(0UL, r.R.Vote);
    }

    [Fact]
    public void Step_OtherMessageWithLowerTerm_IsIgnored()
    {
        var r = Node(1, [1, 2, 3], term: 5);
        r.ReadMessages();
        r.Step(Msg(MessageType.MsgTimeoutNow, 2, 1, term: 4));
        Assert.Equal(StateType.Follower, r.R.State);
        Assert.Empty(r.ReadMessages());
    }

    [Fact]
    public void Leader_AnswerFromAHigherTerm_StepsDown()
    {
        var r = Node(1, [1, 2, 3]);
        MakeLeader(r);
        r.Step(Msg(MessageType.MsgAppResp, 2, 1, term: r.R.Term + 3));
        Assert.Equal(StateType.Follower, r.R.State);
        Assert.Equal(4UL, r.R.Term);
    }

    [Fact]
    public void Tick_LeaderAfterHeartbeatTimeout_SendsHeartbeatToEveryFollower()
    {
        // §5.2: leaders send periodic heartbeats to all followers to maintain their authority.
        var r = Node(1, [1, 2, 3], heartbeat: 2);
        MakeLeader(r);
        r.ReadMessages();
        r.Tick(2);
        var beats = r.ReadMessages().OfType(MessageType.MsgHeartbeat);
        Assert.Equal([2UL, 3UL], beats.ConvertAll(m => m.To));
        Assert.All(beats, m => Assert.Equal(r.R.Term, m.Term));
    }

    [Theory]
    [InlineData(StateType.Follower)]
    [InlineData(StateType.Candidate)]
    public void Tick_PastElectionTimeout_StartsElectionWithVoteRequests(StateType state)
    {
        // §5.2: a follower that hears nothing for an election timeout increments its term,
        // votes for itself and asks every other server; a candidate whose election times out
        // starts a new one.
        var r = Node(1, [1, 2, 3]);
        if (state == StateType.Candidate)
        {
            r.Node.Campaign();
            r.ReadMessages();
        }

        var term = r.R.Term;
        r.SetElectionTimeout(10);
        r.Tick(10);
        Assert.Equal(StateType.Candidate, r.R.State);
        Assert.Equal(term + 1, r.R.Term);
        Assert.Equal(1UL, r.R.Vote);
        var votes = r.ReadMessages().OfType(MessageType.MsgVote);
        Assert.Equal([2UL, 3UL], votes.ConvertAll(m => m.To));
        Assert.All(votes, m => Assert.Equal(term + 1, m.Term));
    }

    [Theory]
    [InlineData(1, new ulong[0], StateType.Leader)]
    [InlineData(3, new ulong[] { 2, 3 }, StateType.Leader)]
    [InlineData(3, new ulong[] { 2 }, StateType.Leader)]
    [InlineData(3, new ulong[0], StateType.Candidate)]
    [InlineData(5, new ulong[] { 2, 3, 4, 5 }, StateType.Leader)]
    [InlineData(5, new ulong[] { 2, 3 }, StateType.Leader)]
    [InlineData(5, new ulong[] { 2 }, StateType.Candidate)]
    public void Campaign_VotesReceived_WinsOnlyWithMajority(int size, ulong[] granted, StateType expected)
    {
        // §5.2: a candidate wins if it receives votes from a majority of the servers.
        var ids = new ulong[size];
        for (var i = 0; i < size; i++)
        {
            ids[i] = (ulong)i + 1;
        }

        var r = Node(1, ids);
        r.Node.Campaign();
        r.ReadMessages();
        foreach (var id in granted)
        {
            r.Step(Msg(MessageType.MsgVoteResp, id, 1, term: r.R.Term));
        }

        r.ReadMessages();
        Assert.Equal(expected, r.R.State);
    }

    [Fact]
    public void Campaign_MajorityRejects_FallsBackToFollower()
    {
        var r = Node(1, [1, 2, 3]);
        r.Node.Campaign();
        r.ReadMessages();
        r.Step(Msg(MessageType.MsgVoteResp, 2, 1, term: r.R.Term, reject: true));
        r.Step(Msg(MessageType.MsgVoteResp, 3, 1, term: r.R.Term, reject: true));
        Assert.Equal(StateType.Follower, r.R.State);
    }

    [Fact]
    public void Campaign_OwnVote_CountsOnlyAfterItIsPersisted()
    {
        // The vote for itself is durable state: a single voter becomes leader only on the Advance
        // that follows the Ready carrying its vote.
        var r = Node(1, [1]);
        r.Node.Campaign();
        Assert.Equal(StateType.Candidate, r.R.State);
        var rd = r.Node.Ready();
        Assert.Equal(1UL, rd.HardState!.Vote);
        Assert.True(rd.MustSync);
        Assert.Equal(StateType.Candidate, r.R.State);
        r.Handle(rd);
        r.Node.Advance();
        Assert.Equal(StateType.Leader, r.R.State);
    }

    [Theory]
    [InlineData(0UL, true)]
    [InlineData(2UL, true)]
    [InlineData(3UL, false)]
    public void Vote_FirstComeFirstServed_AtMostOneVotePerTerm(ulong votedFor, bool granted)
    {
        // §5.2: each server votes for at most one candidate in a given term, first come first served.
        var storage = Storage([1, 2, 3], [], term: 1, vote: votedFor);
        var r = TestRaft.Create(1, storage);
        r.Step(Msg(MessageType.MsgVote, 2, 1, term: 1));
        var resp = Assert.Single(r.ReadMessages());
        Assert.Equal(MessageType.MsgVoteResp, resp.Type);
        Assert.Equal(!granted, resp.Reject);
    }

    [Fact]
    public void Vote_GrantedVote_IsPersistedBeforeTheAnswerIsSent()
    {
        var r = Node(1, [1, 2, 3]);
        r.Step(Msg(MessageType.MsgVote, 2, 1, term: 1));
        var rd = r.Node.Ready();
        Assert.Equal(2UL, rd.HardState!.Vote);
        Assert.True(rd.MustSync);
        Assert.Empty(rd.EarlyMessages);
        Assert.Equal(MessageType.MsgVoteResp, Assert.Single(rd.Messages).Type);
    }

    [Fact]
    public void Candidate_AppendFromLeaderOfItsTerm_BecomesFollower()
    {
        // §5.2: while waiting for votes, a candidate that receives an AppendEntries from a leader
        // whose term is at least its own returns to follower.
        var r = Node(1, [1, 2, 3]);
        r.Node.Campaign();
        r.Step(Msg(MessageType.MsgApp, 2, 1, term: r.R.Term));
        Assert.Equal(StateType.Follower, r.R.State);
        Assert.Equal(2UL, r.R.Lead);
    }

    [Fact]
    public void Follower_ElectionTimeout_IsDrawnFromElectionTickToTwiceIt()
    {
        // §5.2: randomized election timeouts make split votes rare.
        var seen = new HashSet<int>();
        for (var i = 0; i < 200; i++)
        {
            var r = TestRaft.Create(1, Storage([1, 2, 3], []), configure: c => c.Random = new Random(i));
            seen.Add(r.R.RandomizedElectionTimeout);
        }

        Assert.All(seen, t => Assert.InRange(t, 10, 19));
        Assert.True(seen.Count > 5, "the timeout should vary");
    }

    [Theory]
    [InlineData(2UL, 2UL, false)] // same last term, shorter log
    [InlineData(3UL, 2UL, true)]  // same last term, same length
    [InlineData(4UL, 2UL, true)]  // same last term, longer
    [InlineData(1UL, 3UL, true)]  // later last term wins whatever the length
    [InlineData(5UL, 1UL, false)] // earlier last term loses whatever the length
    public void Vote_CandidateLog_MustBeAtLeastAsUpToDate(ulong lastIndex, ulong lastTerm, bool granted)
    {
        // §5.4.1: the voter denies its vote if its own log is more up to date than the candidate's.
        var r = Node(1, [1, 2, 3], Log(1, 2, 2), term: 2);
        r.Step(Msg(MessageType.MsgVote, 2, 1, term: 3, index: lastIndex, logTerm: lastTerm));
        var resp = Assert.Single(r.ReadMessages());
        Assert.Equal(!granted, resp.Reject);
    }

    [Fact]
    public void Campaign_VoteRequests_CarryLastLogIndexAndTerm()
    {
        var r = Node(1, [1, 2, 3], Log(1, 1, 2), term: 2);
        r.Node.Campaign();
        var votes = r.ReadMessages().OfType(MessageType.MsgVote);
        Assert.All(votes, m =>
        {
            Assert.Equal(3UL, m.Index);
            Assert.Equal(2UL, m.LogTerm);
        });
    }

    [Fact]
    public void Leader_OnElection_AppendsAnEmptyEntryOfItsTerm()
    {
        var r = Node(1, [1, 2, 3]);
        MakeLeader(r);
        var last = r.R.Log.LastIndex();
        Assert.Equal(r.R.Term, r.R.Log.TermOrZero(last));
    }

    [Fact]
    public void Campaign_WithUnappliedConfChange_IsRefused()
    {
        // A committed but unapplied conf change may change who votes: campaigning under the old
        // configuration is refused until it is applied.
        var cc = new ConfChange { Type = ConfChangeType.ConfChangeAddNode, NodeId = 4 };
        var log = new[] { E(1, 1), new Entry { Index = 2, Term = 1, Type = EntryType.EntryConfChange, Data = cc.ToByteString() } };
        var r = Node(1, [1, 2, 3], log, commit: 2);
        r.Node.Campaign();
        Assert.Equal(StateType.Follower, r.R.State);
    }

    [Fact]
    public void Network_ThreeNodes_ElectOneLeaderThatEveryoneFollows()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(2);
        Assert.Equal(2UL, nt.Leader());
        foreach (var n in nt.Nodes.Values)
        {
            Assert.Equal(2UL, n.R.Lead);
            Assert.Equal(1UL, n.R.Term);
        }
    }
}

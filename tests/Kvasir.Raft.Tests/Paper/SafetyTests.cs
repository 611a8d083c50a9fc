using Kvasir.Raft.Tests.Harness;
using static Kvasir.Raft.Tests.Harness.Fixtures;

namespace Kvasir.Raft.Tests.Paper;

/// <summary>Safety, after §5.4 of the Raft paper and figure 8.</summary>
public sealed class SafetyTests
{
    [Fact]
    public void Leader_EntryOfAPreviousTermOnAQuorum_IsNotCommittedByCounting()
    {
        // §5.4.2: a leader never commits an entry of a previous term by counting replicas; only
        // an entry of its own term, and with it everything before.
        var r = Node(1, [1, 2, 3], Log(1, 2), term: 2);
        MakeLeader(r, ackNoop: false);
        var term = r.R.Term;

        // Follower 2 acknowledges index 2 (term 2), not yet the new leader's empty entry at 3.
        r.Step(Msg(MessageType.MsgAppResp, 2, 1, term: term, index: 2));
        r.ReadMessages();
        Assert.Equal(0UL, r.R.Log.Committed);

        // Once the entry of the current term is on a quorum, everything commits.
        r.Step(Msg(MessageType.MsgAppResp, 2, 1, term: term, index: 3));
        r.ReadMessages();
        Assert.Equal(3UL, r.R.Log.Committed);
    }

    [Fact]
    public void Figure8_EntryOfAnOldTermOnAMajority_IsNotCommittedAndMayBeOverwritten()
    {
        // Figure 8 of the paper, five servers. S1 led term 2 and wrote index 2 on S1 and S2; S5
        // led term 3 and wrote a different index 2 on itself only. Now S1 leads term 4.
        ulong[] ids = [1, 2, 3, 4, 5];
        var s1 = Node(1, ids, [E(1, 1), E(2, 2, "s1")], term: 3);
        MakeLeader(s1, ackNoop: false);
        Assert.Equal(4UL, s1.R.Term);

        // (c) S1's term-2 entry reaches S3: it is on S1, S2 and S3, a majority, but of an old term.
        s1.Step(Msg(MessageType.MsgAppResp, 2, 1, term: 4, index: 2));
        s1.Step(Msg(MessageType.MsgAppResp, 3, 1, term: 4, index: 2));
        s1.ReadMessages();
        Assert.Equal(0UL, s1.R.Log.Committed);

        // (d) S1 crashes. S5 (last entry 2/3) beats S2 and S3 (last entry 2/2) on up-to-dateness,
        // wins term 5 and overwrites index 2 on them: safe, because it was never committed.
        var s2 = Node(2, ids, [E(1, 1), E(2, 2, "s1")], term: 4);
        s2.Step(Msg(MessageType.MsgVote, 5, 2, term: 5, index: 2, logTerm: 3));
        Assert.False(Assert.Single(s2.ReadMessages()).Reject);
        s2.Step(Msg(MessageType.MsgApp, 5, 2, term: 5, index: 1, logTerm: 1, entries: E(2, 3, "s5")));
        s2.ReadMessages();
        Assert.Equal(3UL, s2.R.Log.TermOrZero(2));

        // (e) Had S1 put an entry of its own term on the majority first, that commits index 2 and
        // 3, and S5 can no longer win: S2's log ends at term 4, later than S5's 3.
        var s1b = Node(1, ids, [E(1, 1), E(2, 2, "s1")], term: 3);
        MakeLeader(s1b, ackNoop: false);
        s1b.Step(Msg(MessageType.MsgAppResp, 2, 1, term: 4, index: 3));
        s1b.Step(Msg(MessageType.MsgAppResp, 3, 1, term: 4, index: 3));
        s1b.ReadMessages();
        Assert.Equal(3UL, s1b.R.Log.Committed);
        var s2b = Node(2, ids, [E(1, 1), E(2, 2, "s1"), E(3, 4)], term: 4);
        s2b.Step(Msg(MessageType.MsgVote, 5, 2, term: 5, index: 2, logTerm: 3));
        Assert.True(Assert.Single(s2b.ReadMessages()).Reject);
    }

    [Fact]
    public void LeaderCompleteness_ACandidateMissingCommittedEntries_CannotWin()
    {
        // §5.4.1 and 5.4.3: a committed entry is on a majority, and a voter refuses a candidate
        // whose log is less up to date, so every future leader holds it.
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Isolate(3);
        nt.Propose(1, "committed");
        Assert.Equal(["committed"], nt[2].AppliedData());

        // 3 missed the entry: it cannot win, however often it campaigns.
        nt.Recover();
        nt.Isolate(1);
        nt.Campaign(3);
        Assert.NotEqual(StateType.Leader, nt[3].R.State);
        nt.Campaign(2);
        Assert.Equal(StateType.Leader, nt[2].R.State);
    }

    [Fact]
    public void Restart_AfterCrash_KeepsTermVoteAndLog()
    {
        // §5: a server's term, vote and log survive a restart; it may vote only once per term.
        var r = Node(1, [1, 2, 3]);
        r.Step(Msg(MessageType.MsgVote, 2, 1, term: 4));
        r.ReadMessages();
        r.Restart();
        Assert.Equal(4UL, r.R.Term);
        Assert.Equal(2UL, r.R.Vote);
        r.Step(Msg(MessageType.MsgVote, 3, 1, term: 4));
        Assert.True(Assert.Single(r.ReadMessages()).Reject);
    }

    [Fact]
    public void Crash_BeforePersisting_LosesOnlyWhatWasNotPromised()
    {
        // A follower that crashes before persisting a Ready never sent its acknowledgement: the
        // leader never counted it, and the follower restarts without the entries.
        var r = Node(1, [1, 2, 3]);
        r.Step(Msg(MessageType.MsgApp, 2, 1, term: 1, entries: [E(1, 1, "a")]));
        var rd = r.Node.Ready();
        Assert.Empty(rd.EarlyMessages);
        Assert.Equal(MessageType.MsgAppResp, Assert.Single(rd.Messages).Type);
        r.Restart();
        Assert.Equal(0UL, r.R.Log.LastIndex());
        Assert.Equal(0UL, r.R.Term);
    }
}

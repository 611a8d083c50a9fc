using Kvasir.Raft.Tests.Harness;
using static Kvasir.Raft.Tests.Harness.Fixtures;

namespace Kvasir.Raft.Tests.Paper;

/// <summary>Log replication, after §5.3 of the Raft paper.</summary>
public sealed class ReplicationTests
{
    [Fact]
    public void Propose_Leader_AppendsToItsLogAndSendsAppendsToFollowers()
    {
        // §5.3: the leader appends the command to its log as a new entry, then issues
        // AppendEntries to each of the other servers.
        var r = Node(1, [1, 2, 3]);
        MakeLeader(r);
        r.ReadMessages();
        var li = r.R.Log.LastIndex();
        Assert.Equal(ProposalResult.Accepted, r.Propose("x"));
        var apps = r.ReadMessages().OfType(MessageType.MsgApp);
        Assert.Equal([2UL, 3UL], apps.ConvertAll(m => m.To));
        Assert.All(apps, m =>
        {
            var e = Assert.Single(m.Entries);
            Assert.Equal(li + 1, e.Index);
            Assert.Equal(r.R.Term, e.Term);
            Assert.Equal("x", e.Data.ToStringUtf8());
        });
        Assert.Equal(li + 1, r.R.Log.LastIndex());
    }

    [Fact]
    public void Leader_EntryOnMajority_IsCommittedAndFollowersLearnTheCommit()
    {
        // §5.3: an entry is committed once the leader has replicated it on a majority; the leader
        // includes the commit index in future AppendEntries so followers find out.
        var r = Node(1, [1, 2, 3]);
        MakeLeader(r);
        r.ReadMessages();
        r.Propose("x");
        var app = r.ReadMessages().OfType(MessageType.MsgApp)[0];
        var index = app.Entries[0].Index;
        Assert.True(r.R.Log.Committed < index);
        r.Step(Msg(MessageType.MsgAppResp, 2, 1, term: r.R.Term, index: index));
        var msgs = r.ReadMessages();
        Assert.Equal(index, r.R.Log.Committed);
        Assert.Contains(msgs.OfType(MessageType.MsgApp), m => m.To == 3 && m.Commit == index);
        Assert.Equal("x", r.AppliedData()[^1]);
    }

    [Theory]
    [InlineData(1, new ulong[0], true)]
    [InlineData(3, new ulong[0], false)]
    [InlineData(3, new ulong[] { 2 }, true)]
    [InlineData(5, new ulong[] { 2 }, false)]
    [InlineData(5, new ulong[] { 2, 3 }, true)]
    [InlineData(5, new ulong[] { 2, 3, 4, 5 }, true)]
    public void Leader_Acknowledgements_CommitOnlyWithQuorumIncludingItsDurableCopy(int size, ulong[] acks, bool committed)
    {
        var ids = new ulong[size];
        for (var i = 0; i < size; i++)
        {
            ids[i] = (ulong)i + 1;
        }

        var r = Node(1, ids);
        MakeLeader(r);
        r.ReadMessages();
        r.Propose("x");
        r.ReadMessages();
        var index = r.R.Log.LastIndex();
        foreach (var id in acks)
        {
            r.Step(Msg(MessageType.MsgAppResp, id, 1, term: r.R.Term, index: index));
        }

        r.ReadMessages();
        Assert.Equal(committed, r.R.Log.Committed >= index);
    }

    [Fact]
    public void Leader_OwnCopy_CountsOnlyAfterItIsPersisted()
    {
        // The leader may send appends before its own fsync (EarlyMessages), but its own copy
        // counts towards the quorum only after Advance: a quorum is one of durable copies.
        var r = Node(1, [1, 2, 3]);
        MakeLeader(r);
        r.ReadMessages();
        r.Propose("x");
        var rd = r.Node.Ready();
        var index = rd.Entries[^1].Index;
        Assert.Contains(rd.EarlyMessages, m => m.Type == MessageType.MsgApp);

        // A follower acknowledges before the leader has persisted: one durable copy of three.
        r.Step(Msg(MessageType.MsgAppResp, 2, 1, term: r.R.Term, index: index));
        Assert.True(r.R.Log.Committed < index);
        r.Handle(rd);
        r.Node.Advance();
        Assert.Equal(index, r.R.Log.Committed);
    }

    [Fact]
    public void Leader_CommittingAnEntry_CommitsAllPrecedingEntries()
    {
        // §5.3: committing an entry also commits all preceding entries, including those of
        // previous leaders.
        var r = Node(1, [1, 2, 3], Log(1, 1), term: 1);
        MakeLeader(r);
        var li = r.R.Log.LastIndex();
        r.ReadMessages();
        r.Step(Msg(MessageType.MsgAppResp, 2, 1, term: r.R.Term, index: li));
        r.ReadMessages();
        Assert.Equal(li, r.R.Log.Committed);
        Assert.Equal(li, (ulong)r.Applied.Count);
    }

    [Fact]
    public void Follower_LeaderCommitIndex_CommitsAndAppliesUpToIt()
    {
        // §5.3: once a follower learns an entry is committed, it applies it to its state machine.
        var r = Node(1, [1, 2, 3]);
        r.Step(Msg(MessageType.MsgApp, 2, 1, term: 1, index: 0, logTerm: 0, commit: 1, entries: [E(1, 1, "a"), E(2, 1, "b")]));
        r.ReadMessages();
        Assert.Equal(1UL, r.R.Log.Committed);
        Assert.Equal(["a"], r.AppliedData());
        r.Step(Msg(MessageType.MsgHeartbeat, 2, 1, term: 1, commit: 2));
        r.ReadMessages();
        Assert.Equal(["a", "b"], r.AppliedData());
    }

    [Theory]
    [InlineData(0UL, 0UL, false)]
    [InlineData(2UL, 2UL, true)]
    [InlineData(3UL, 2UL, false)]
    [InlineData(3UL, 1UL, true)]
    [InlineData(4UL, 2UL, false)]
    [InlineData(5UL, 2UL, true)]
    public void Follower_AppendWhosePreviousEntryDoesNotMatch_IsRejected(ulong prevIndex, ulong prevTerm, bool rejected)
    {
        // §5.3: if the follower does not find an entry with the same index and term as the one
        // preceding the new entries, it refuses them (the consistency check).
        var r = Node(1, [1, 2, 3], Log(1, 1, 2, 2), term: 2);
        r.Step(Msg(MessageType.MsgApp, 2, 1, term: 2, index: prevIndex, logTerm: prevTerm));
        var resp = Assert.Single(r.ReadMessages());
        Assert.Equal(MessageType.MsgAppResp, resp.Type);
        Assert.Equal(rejected, resp.Reject);
    }

    [Fact]
    public void Follower_ConflictingEntries_AreReplacedByTheLeaders()
    {
        // §5.3: an existing entry that conflicts with a new one (same index, different term) is
        // deleted with all that follow it.
        var r = Node(1, [1, 2, 3], Log(1, 2, 2), term: 2);
        r.Step(Msg(MessageType.MsgApp, 2, 1, term: 3, index: 1, logTerm: 1, entries: [E(2, 3, "n2"), E(3, 3, "n3")]));
        r.ReadMessages();
        Assert.Equal(3UL, r.R.Log.LastIndex());
        Assert.Equal(3UL, r.R.Log.TermOrZero(2));
        Assert.Equal(3UL, r.R.Log.TermOrZero(3));
        Assert.Equal(3UL, r.Storage.LastIndex());
        r.Storage.Term(2, out var t);
        Assert.Equal(3UL, t);
    }

    [Fact]
    public void Follower_AppendOfEntriesItHas_ChangesNothing()
    {
        var r = Node(1, [1, 2, 3], Log(1, 2, 2), term: 2);
        r.Step(Msg(MessageType.MsgApp, 2, 1, term: 2, index: 1, logTerm: 1, entries: [E(2, 2)]));
        var resp = Assert.Single(r.ReadMessages());
        Assert.False(resp.Reject);
        Assert.Equal(2UL, resp.Index);
        Assert.Equal(3UL, r.R.Log.LastIndex());
    }

    [Fact]
    public void Follower_AppendBelowItsCommit_AnswersWithItsCommitIndex()
    {
        var r = Node(1, [1, 2, 3], Log(1, 1, 1), commit: 3, term: 1);
        r.Step(Msg(MessageType.MsgApp, 2, 1, term: 1, index: 1, logTerm: 1, entries: [E(2, 1)]));
        var resp = Assert.Single(r.ReadMessages());
        Assert.False(resp.Reject);
        Assert.Equal(3UL, resp.Index);
    }

    [Theory]
    // Figure 7 of the paper: the leader's log is 1 1 1 4 4 5 5 6 6 6 (term 8); each follower
    // log below ends up identical to it.
    [InlineData(new ulong[] { 1, 1, 1, 4, 4, 5, 5, 6, 6 })]
    [InlineData(new ulong[] { 1, 1, 1, 4 })]
    [InlineData(new ulong[] { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6 })]
    [InlineData(new ulong[] { 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7 })]
    [InlineData(new ulong[] { 1, 1, 1, 4, 4, 4, 4 })]
    [InlineData(new ulong[] { 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3 })]
    public void Leader_DivergentFollowerLogs_AreBroughtIntoLineWithItsOwn(ulong[] followerTerms)
    {
        // §5.3: the leader handles inconsistencies by forcing the followers' logs to duplicate
        // its own; fast back-off finds the point where they agree in few round trips.
        var leaderLog = Log(1, 1, 1, 4, 4, 5, 5, 6, 6, 6);
        var leader = Node(1, [1, 2, 3], leaderLog, commit: 3, term: 7, configure: c => c.MaxSizePerMsg = 0);
        var follower = Node(2, [1, 2, 3], Log(followerTerms), term: 7);
        var other = Node(3, [1, 2, 3], leaderLog, term: 7);
        var nt = new TestNetwork(leader, follower, other);
        leader.Node.Campaign();
        nt.Stabilize();
        Assert.Equal(StateType.Leader, leader.R.State);
        leader.Propose("x");
        nt.Stabilize();
        var want = new List<ulong>();
        var got = new List<ulong>();
        for (ulong i = 1; i <= leader.R.Log.LastIndex(); i++)
        {
            want.Add(leader.R.Log.TermOrZero(i));
            got.Add(follower.R.Log.TermOrZero(i));
        }

        Assert.Equal(want, got);
        Assert.Equal(leader.R.Log.LastIndex(), follower.R.Log.LastIndex());
    }

    [Fact]
    public void Rejection_WithHint_SkipsAWholeDivergentTermInOneRoundTrip()
    {
        // The follower answers with the last index whose term is at most the probe's term; the
        // leader then skips to the last index of its own with a term at most that.
        var leader = Node(1, [1, 2], Log(1, 3, 3, 3, 5, 5, 5, 5, 5), term: 5);
        MakeLeader(leader, ackNoop: false);
        var term = leader.R.Term;

        // The new leader probed at index 9 (before its empty entry at 10); the follower's log is
        // 1 1 1 1 2 2: it rejects with a hint at its index 6, term 2.
        leader.Step(Msg(MessageType.MsgAppResp, 2, 1, term: term, index: 9, reject: true, rejectHint: 6, logTerm: 2));
        var probe = leader.ReadMessages().OfType(MessageType.MsgApp)[0];

        // Our terms after index 1 are all above 2: the next probe goes straight to index 1.
        Assert.Equal(1UL, probe.Index);
        Assert.Equal(1UL, probe.LogTerm);
    }

    [Fact]
    public void Follower_RejectingAProbe_HintsItsLastEntryOfATermAtMostTheProbes()
    {
        var r = Node(1, [1, 2], Log(1, 3, 3, 4, 4, 5, 5, 5, 6), term: 6);
        r.Step(Msg(MessageType.MsgApp, 2, 1, term: 8, index: 8, logTerm: 3));
        var resp = Assert.Single(r.ReadMessages());
        Assert.True(resp.Reject);
        Assert.Equal(3UL, resp.RejectHint);
        Assert.Equal(3UL, resp.LogTerm);
    }

    [Fact]
    public void Network_Proposals_ReachEveryNodeInOrder()
    {
        var nt = TestNetwork.OfVoters(5);
        nt.Campaign(1);
        for (var i = 0; i < 20; i++)
        {
            nt.Propose((ulong)(1 + (i % 5)), $"v{i}");
        }

        var expected = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            expected.Add($"v{i}");
        }

        foreach (var n in nt.Nodes.Values)
        {
            Assert.Equal(expected, n.AppliedData());
        }
    }
}

using Google.Protobuf;
using Kvasir.Raft.Tests.Harness;
using static Kvasir.Raft.Tests.Harness.Fixtures;

namespace Kvasir.Raft.Tests.Unit;

/// <summary>The RawNode API: the Ready contract, message checks, proposals' results, status.</summary>
public sealed class RawNodeTests
{
    private static string Snapshot(RawNode n)
    {
        var s = n.Status();
        return $"{s} voters={string.Join(',', s.Config.Voters)} last={n.Raft.Log.LastIndex()} ready={n.HasReady()}";
    }

    [Fact]
    public void Ready_AskedTwiceWithoutAdvance_Throws()
    {
        var r = Node(1, [1, 2, 3]);
        r.Node.Campaign();
        r.Node.Ready();
        Assert.False(r.Node.HasReady());
        Assert.Throws<InvalidOperationException>(() => r.Node.Ready());
    }

    [Fact]
    public void Advance_WithoutReady_Throws()
    {
        var r = Node(1, [1, 2, 3]);
        Assert.Throws<InvalidOperationException>(() => r.Node.Advance());
    }

    [Fact]
    public void HasReady_NothingHappened_IsFalse()
    {
        var r = Node(1, [1, 2, 3]);
        Assert.False(r.Node.HasReady());
        r.Tick();
        Assert.False(r.Node.HasReady());
    }

    [Fact]
    public void Ready_CarriesSoftAndHardStateOnlyWhenTheyChange()
    {
        var r = Node(1, [1, 2, 3]);
        r.Node.Campaign();
        var rd = r.Node.Ready();
        Assert.Equal(new SoftState(0, StateType.Candidate), rd.SoftState);
        Assert.Equal(1UL, rd.HardState!.Term);
        r.Handle(rd);
        r.Node.Advance();
        r.Step(Msg(MessageType.MsgVoteResp, 2, 1, term: 1, reject: true));
        rd = r.Node.Ready();
        Assert.Null(rd.HardState);
        Assert.Equal(StateType.Candidate, rd.SoftState?.RaftState ?? StateType.Candidate);
    }

    [Fact]
    public void Ready_MustSync_OnlyForEntriesTermVoteOrSnapshot()
    {
        var r = Node(1, [1, 2]);
        r.Step(Msg(MessageType.MsgApp, 2, 1, term: 1, entries: E(1, 1)));
        var rd = r.Node.Ready();
        Assert.True(rd.MustSync);
        r.Handle(rd);
        r.Node.Advance();

        // Only the commit index moves: it may be written lazily.
        r.Step(Msg(MessageType.MsgHeartbeat, 2, 1, term: 1, commit: 1));
        rd = r.Node.Ready();
        Assert.NotNull(rd.HardState);
        Assert.False(rd.MustSync);
    }

    [Fact]
    public void Ready_LeaderAppendsAtADurableTerm_AreEarlyMessages()
    {
        var r = Node(1, [1, 2, 3]);
        MakeLeader(r);
        r.Propose("x");
        var rd = r.Node.Ready();
        Assert.NotEmpty(rd.Entries);
        Assert.All(rd.EarlyMessages, m => Assert.Equal(MessageType.MsgApp, m.Type));
        Assert.Equal(2, rd.EarlyMessages.Count);
        Assert.Empty(rd.Messages);
    }

    [Fact]
    public void Ready_VotesAndAcknowledgements_AreNeverEarly()
    {
        var r = Node(1, [1, 2, 3]);
        r.Node.Campaign();
        var rd = r.Node.Ready();
        Assert.Empty(rd.EarlyMessages);
        Assert.All(rd.Messages, m => Assert.Equal(MessageType.MsgVote, m.Type));
        r.Handle(rd);
        r.Node.Advance();

        var f = Node(2, [1, 2, 3]);
        f.Step(Msg(MessageType.MsgApp, 1, 2, term: 1, entries: E(1, 1)));
        rd = f.Node.Ready();
        Assert.Empty(rd.EarlyMessages);
        Assert.Equal(MessageType.MsgAppResp, Assert.Single(rd.Messages).Type);
    }

    [Fact]
    public void Ready_FirstAppendsOfANewLeader_WaitForItsTermToBeDurable()
    {
        // Votes go out only once the candidate's term is durable, so the appends of the leader
        // they elect carry a durable term and may go early.
        var r = Node(1, [1, 2, 3]);
        r.Node.Campaign();
        var rd = r.Node.Ready();
        Assert.Empty(rd.EarlyMessages);
        r.Handle(rd);
        r.Node.Advance();
        r.Step(Msg(MessageType.MsgVoteResp, 2, 1, term: 1));
        rd = r.Node.Ready();
        Assert.All(rd.EarlyMessages, m => Assert.Equal(1UL, m.Term));
        Assert.NotEmpty(rd.EarlyMessages);
    }

    [Theory]
    [InlineData(MessageType.MsgHup)]
    [InlineData(MessageType.MsgBeat)]
    [InlineData(MessageType.MsgUnreachable)]
    [InlineData(MessageType.MsgSnapStatus)]
    [InlineData(MessageType.MsgCheckQuorum)]
    public void Step_LocalMessageType_IsRefusedAndChangesNothing(MessageType type)
    {
        var r = Node(1, [1, 2, 3]);
        var before = Snapshot(r.Node);
        Assert.Equal(StepResult.LocalMessageType, r.Step(Msg(type, 2, 1, term: 1)));
        Assert.Equal(before, Snapshot(r.Node));
    }

    [Fact]
    public void Step_MessageForAnotherNode_IsRefusedAndChangesNothing()
    {
        var r = Node(1, [1, 2, 3]);
        var before = Snapshot(r.Node);
        Assert.Equal(StepResult.WrongRecipient, r.Step(Msg(MessageType.MsgApp, 2, 3, term: 5)));
        Assert.Equal(before, Snapshot(r.Node));
    }

    [Fact]
    public void Step_ResponseFromANonMember_IsRefusedAndChangesNothing()
    {
        var r = Node(1, [1, 2, 3]);
        MakeLeader(r);
        var before = Snapshot(r.Node);
        Assert.Equal(StepResult.UnknownPeer, r.Step(Msg(MessageType.MsgAppResp, 9, 1, term: r.R.Term, index: 1)));
        Assert.Equal(StepResult.UnknownPeer, r.Step(Msg(MessageType.MsgHeartbeatResp, 9, 1, term: r.R.Term)));
        Assert.Equal(before, Snapshot(r.Node));
    }

    public static TheoryData<string, Message> MalformedMessages() => new()
    {
        { "no sender", Msg(MessageType.MsgApp, 0, 1, term: 1) },
        { "from itself", Msg(MessageType.MsgApp, 1, 1, term: 1) },
        { "append without term", Msg(MessageType.MsgApp, 2, 1) },
        { "heartbeat without term", Msg(MessageType.MsgHeartbeat, 2, 1) },
        { "entries with a gap", Msg(MessageType.MsgApp, 2, 1, term: 1, index: 0, entries: [E(1, 1), E(3, 1)]) },
        { "entries not after prev", Msg(MessageType.MsgApp, 2, 1, term: 1, index: 4, logTerm: 1, entries: [E(7, 1)]) },
        { "entry term above the message's", Msg(MessageType.MsgApp, 2, 1, term: 1, entries: [E(1, 2)]) },
        { "entry terms going down", Msg(MessageType.MsgApp, 2, 1, term: 3, entries: [E(1, 2), E(2, 1)]) },
        { "prev term above the message's", Msg(MessageType.MsgApp, 2, 1, term: 1, index: 1, logTerm: 2) },
        { "snapshot without snapshot", Msg(MessageType.MsgSnap, 2, 1, term: 1) },
        { "snapshot without metadata", new Message { Type = MessageType.MsgSnap, From = 2, To = 1, Term = 1, Snapshot = new Snapshot() } },
        { "empty proposal", Msg(MessageType.MsgProp, 2, 1) },
        { "read index without context", Msg(MessageType.MsgReadIndex, 2, 1) },
        { "read index answer with two contexts", Msg(MessageType.MsgReadIndexResp, 2, 1, term: 1, entries: [E(0, 0), E(0, 0)]) },
        { "unknown type", new Message { Type = (MessageType)99, From = 2, To = 1, Term = 1 } },
    };

    [Theory]
    [MemberData(nameof(MalformedMessages))]
    public void Step_MalformedMessage_IsRefusedAndChangesNothing(string what, Message m)
    {
        var r = Node(1, [1, 2, 3]);
        var before = Snapshot(r.Node);
        Assert.True(StepResult.Malformed == r.Step(m), what);
        Assert.Equal(before, Snapshot(r.Node));
    }

    [Fact]
    public void Step_Null_Throws()
    {
        var r = Node(1, [1, 2, 3]);
        Assert.Throws<ArgumentNullException>(() => r.Step(null!));
    }

    [Fact]
    public void Propose_NoLeader_IsDroppedWithAClearResult()
    {
        var r = Node(1, [1, 2, 3]);
        Assert.Equal(ProposalResult.NoLeader, r.Propose("x"));
        r.Node.Campaign();
        Assert.Equal(ProposalResult.NoLeader, r.Propose("y"));
        Assert.Equal(0UL, r.R.Log.LastIndex());
    }

    [Fact]
    public void Propose_DataIsSharedNotCopied()
    {
        var r = Node(1, [1]);
        MakeLeader(r);
        var payload = UnsafeByteOperations.UnsafeWrap(new byte[] { 1, 2, 3 });
        r.Node.Propose(payload);
        var rd = r.Node.Ready();
        Assert.Same(payload, rd.Entries[^1].Data);
    }

    [Fact]
    public void Status_Leader_ReportsEveryMembersProgress()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Propose(1, "a");
        var s = nt[1].Node.Status();
        Assert.Equal(StateType.Leader, s.RaftState);
        Assert.Equal(1UL, s.Lead);
        Assert.Equal(3, s.Progress.Count);
        var last = nt[1].R.Log.LastIndex();
        Assert.All(s.Progress.Values, p => Assert.Equal(last, p.Match));
        Assert.Equal(ProgressState.Replicate, s.Progress[2].State);
        Assert.Equal(0, s.Progress[2].TicksSinceLastResponse);
        nt.Isolate(3);
        nt.TickAll(4);
        Assert.True(nt[1].Node.Status().Progress[3].TicksSinceLastResponse >= 4);
        Assert.Equal(0, nt[1].Node.Status().Progress[2].TicksSinceLastResponse);
    }

    [Fact]
    public void Status_Follower_HasNoProgress()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        var s = nt[2].Node.Status();
        Assert.Empty(s.Progress);
        Assert.Equal(1UL, s.Lead);
        Assert.Equal(nt[1].R.Log.Committed, s.Commit);
    }

    [Fact]
    public void Restart_FromStorage_ResumesWithPersistedStateAndApplied()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Propose(1, "a");
        nt.Propose(1, "b");
        var n2 = nt[2];
        var applied = n2.R.Log.Applied;
        n2.Restart(applied: applied);
        Assert.Equal(applied, n2.R.Log.Applied);
        Assert.Equal(nt[1].R.Term, n2.R.Term);
        Assert.False(n2.Node.HasReady());
    }

    [Fact]
    public void Restart_WithoutApplied_HandsOutCommittedEntriesAgain()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        nt.Propose(1, "a");
        var n2 = nt[2];
        n2.Restart();
        var rd = n2.Node.Ready();
        Assert.Contains(rd.CommittedEntries, e => e.Data.ToStringUtf8() == "a");
    }

    [Fact]
    public void Restart_AppliedBeyondTheCommitIndex_IsRefused()
    {
        var s = Storage([1, 2], Log(1, 1), commit: 1);
        var config = TestRaft.Config(1, s);
        config.Applied = 2;
        Assert.Throws<ArgumentException>(() => new RawNode(config));
    }

    [Fact]
    public void Restart_CommitPersistedBeyondTheLog_IsRefused()
    {
        var s = Storage([1, 2], Log(1, 1), commit: 5);
        Assert.Throws<InvalidOperationException>(() => new RawNode(TestRaft.Config(1, s)));
    }

    [Fact]
    public void Restart_CommitPersistedBelowTheSnapshot_StartsFromTheSnapshot()
    {
        // A crash between installing a snapshot and writing the HardState.
        var s = new MemoryRaftLog(Voters(1, 2));
        s.ApplySnapshot(new Snapshot { Metadata = new SnapshotMetadata { Index = 10, Term = 2, ConfState = Voters(1, 2) } });
        s.SetHardState(new HardState { Term = 2, Commit = 3 });
        var n = new RawNode(TestRaft.Config(1, s));
        Assert.Equal(10UL, n.Raft.Log.Committed);
    }
}

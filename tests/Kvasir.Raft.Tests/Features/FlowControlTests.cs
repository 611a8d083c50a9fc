using Kvasir.Raft.Tests.Harness;
using static Kvasir.Raft.Tests.Harness.Fixtures;

namespace Kvasir.Raft.Tests.Features;

/// <summary>Flow control: probing, the inflights window, message and uncommitted-size limits, batching.</summary>
public sealed class FlowControlTests
{
    [Fact]
    public void Replicate_InflightsWindowFull_PausesUntilAcknowledged()
    {
        var r = Node(1, [1, 2], configure: c =>
        {
            c.MaxInflightMsgs = 3;
            c.MaxSizePerMsg = 0;
        });
        MakeLeader(r);
        for (var i = 0; i < 5; i++)
        {
            r.Propose($"p{i}");
        }

        var apps = r.ReadMessages().OfType(MessageType.MsgApp);
        Assert.Equal(3, apps.Count);
        Assert.True(r.Node.Status().Progress[2].Paused);

        // Acknowledging the first frees one slot: one more append goes out.
        r.Step(Msg(MessageType.MsgAppResp, 2, 1, term: r.R.Term, index: apps[0].Entries[^1].Index));
        Assert.Single(r.ReadMessages().OfType(MessageType.MsgApp).FindAll(m => m.Entries.Count > 0));
    }

    [Fact]
    public void Replicate_FullWindowAndEveryAppendLost_RecoversThroughHeartbeats()
    {
        var r = Node(1, [1, 2], configure: c =>
        {
            c.MaxInflightMsgs = 2;
            c.MaxSizePerMsg = 0;
        });
        MakeLeader(r);
        for (var i = 0; i < 4; i++)
        {
            r.Propose($"p{i}");
        }

        r.ReadMessages();
        Assert.True(r.Node.Status().Progress[2].Paused);

        // Everything in flight was lost; the heartbeat answer still gets an append through.
        r.Step(Msg(MessageType.MsgHeartbeatResp, 2, 1, term: r.R.Term));
        Assert.NotEmpty(r.ReadMessages().OfType(MessageType.MsgApp));
    }

    [Fact]
    public void Probe_SendsOneAppendAtATime()
    {
        var r = Node(1, [1, 2]);
        MakeLeader(r, ackNoop: false);
        Assert.Equal(ProgressState.Probe, r.Node.Status().Progress[2].State);
        r.Propose("a");
        r.Propose("b");
        Assert.Empty(r.ReadMessages().OfType(MessageType.MsgApp));
    }

    [Fact]
    public void Probe_SuccessfulAnswer_MovesToReplicate()
    {
        var r = Node(1, [1, 2]);
        MakeLeader(r, ackNoop: false);
        r.Step(Msg(MessageType.MsgAppResp, 2, 1, term: r.R.Term, index: r.R.Log.LastIndex()));
        Assert.Equal(ProgressState.Replicate, r.Node.Status().Progress[2].State);
    }

    [Fact]
    public void ReportUnreachable_Replicating_FallsBackToProbe()
    {
        var r = Node(1, [1, 2]);
        MakeLeader(r);
        Assert.Equal(ProgressState.Replicate, r.Node.Status().Progress[2].State);
        r.Node.ReportUnreachable(2);
        Assert.Equal(ProgressState.Probe, r.Node.Status().Progress[2].State);
    }

    [Fact]
    public void MaxSizePerMsg_LimitsTheEntriesInOneAppend()
    {
        var r = Node(1, [1, 2], configure: c => c.MaxSizePerMsg = 40);
        MakeLeader(r);
        for (var i = 0; i < 10; i++)
        {
            r.Propose("0123456789");
        }

        var apps = r.ReadMessages().OfType(MessageType.MsgApp);
        Assert.True(apps.Count > 1);
        Assert.All(apps, m => Assert.InRange(m.Entries.Count, 1, 3));
    }

    [Fact]
    public void Proposals_BetweenTwoReadies_ShareOneAppendPerFollower()
    {
        var r = Node(1, [1, 2, 3]);
        MakeLeader(r);
        for (var i = 0; i < 100; i++)
        {
            r.Propose($"p{i}");
        }

        var apps = r.ReadMessages().OfType(MessageType.MsgApp);
        Assert.Equal(2, apps.Count);
        Assert.All(apps, m => Assert.Equal(100, m.Entries.Count));
    }

    [Fact]
    public void MaxUncommittedEntriesSize_FullTail_DropsProposals()
    {
        var r = Node(1, [1, 2], configure: c => c.MaxUncommittedEntriesSize = 20);
        MakeLeader(r);
        Assert.Equal(ProposalResult.Accepted, r.Propose("0123456789"));
        Assert.Equal(ProposalResult.Accepted, r.Propose("0123456789"));
        Assert.Equal(ProposalResult.UncommittedSizeLimit, r.Propose("0123456789"));
        var last = r.R.Log.LastIndex();

        // Once committed and applied, the quota frees up.
        r.ReadMessages();
        r.Step(Msg(MessageType.MsgAppResp, 2, 1, term: r.R.Term, index: last));
        r.ReadMessages();
        Assert.Equal(ProposalResult.Accepted, r.Propose("0123456789"));
    }

    [Fact]
    public void MaxUncommittedEntriesSize_EmptyTail_TakesAnyProposal()
    {
        var r = Node(1, [1, 2], configure: c => c.MaxUncommittedEntriesSize = 5);
        MakeLeader(r);
        Assert.Equal(ProposalResult.Accepted, r.Propose("a proposal larger than the limit"));
    }

    [Fact]
    public void MaxCommittedSizePerReady_SplitsCommittedEntriesOverReadies()
    {
        var r = Node(1, [1], configure: c => c.MaxCommittedSizePerReady = 30);
        MakeLeader(r);
        r.Applied.Clear();
        for (var i = 0; i < 6; i++)
        {
            r.Propose("0123456789");
        }

        // Persist the entries; committed ones then come out a few per Ready.
        var rd = r.Node.Ready();
        r.Handle(rd);
        r.Node.Advance();
        var sizes = new List<int>();
        while (r.Node.HasReady())
        {
            rd = r.Node.Ready();
            sizes.Add(rd.CommittedEntries.Count);
            r.Handle(rd);
            r.Node.Advance();
        }

        Assert.True(sizes.Count >= 3, $"expected several Readies, got {string.Join(",", sizes)}");
        Assert.Equal(6, r.AppliedData().Count);
    }

    [Fact]
    public void DisableProposalForwarding_Follower_DropsProposals()
    {
        var nt = TestNetwork.OfVoters(3, c => c.DisableProposalForwarding = true);
        nt.Campaign(1);
        Assert.Equal(ProposalResult.ForwardingDisabled, nt[2].Propose("x"));
        Assert.Equal(ProposalResult.Accepted, nt[1].Propose("y"));
    }

    [Fact]
    public void Propose_Follower_BatchesForwardsToTheLeader()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ProposalResult.Accepted, nt[2].Propose($"f{i}"));
        }

        var props = nt[2].ReadMessages().OfType(MessageType.MsgProp);
        var m = Assert.Single(props);
        Assert.Equal(5, m.Entries.Count);
        nt.Deliver(m);
        nt.Stabilize();
        Assert.Equal(["f0", "f1", "f2", "f3", "f4"], nt[3].AppliedData());
    }
}

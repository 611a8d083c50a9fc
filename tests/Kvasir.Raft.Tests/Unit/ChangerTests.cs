using Kvasir.Raft.ConfChanges;
using Kvasir.Raft.Tracker;

namespace Kvasir.Raft.Tests.Unit;

public sealed class ChangerTests
{
    private static ConfChangeSingle Add(ulong id) => new() { Type = ConfChangeType.ConfChangeAddNode, NodeId = id };

    private static ConfChangeSingle Learner(ulong id) => new() { Type = ConfChangeType.ConfChangeAddLearnerNode, NodeId = id };

    private static ConfChangeSingle Remove(ulong id) => new() { Type = ConfChangeType.ConfChangeRemoveNode, NodeId = id };

    private static ProgressTracker Tracker(params ConfChangeSingle[] simple)
    {
        var trk = new ProgressTracker(4, 0);
        foreach (var cc in simple)
        {
            var (cfg, prs) = new Changer(trk, 10, 0).Simple([cc]);
            trk.Switch(cfg, prs);
        }

        return trk;
    }

    [Fact]
    public void Simple_AddsAndRemovesOneVoterAtATime()
    {
        var trk = Tracker(Add(1), Add(2), Add(3));
        Assert.Equal("voters=(1 2 3)", trk.Config.ToString());
        var (cfg, _) = new Changer(trk, 10, 0).Simple([Remove(2)]);
        Assert.Equal("voters=(1 3)", cfg.ToString());
    }

    [Fact]
    public void Simple_TwoVoterChanges_AreRefused()
    {
        var trk = Tracker(Add(1));
        var ex = Assert.Throws<ConfChangeException>(() => new Changer(trk, 10, 0).Simple([Add(2), Add(3)]));
        Assert.Contains("more than one voter", ex.Message, StringComparison.Ordinal);
        Assert.Equal("voters=(1)", trk.Config.ToString());
    }

    [Fact]
    public void Simple_RemovingEveryVoter_IsRefused()
    {
        var trk = Tracker(Add(1));
        Assert.Throws<ConfChangeException>(() => new Changer(trk, 10, 0).Simple([Remove(1)]));
    }

    [Fact]
    public void Simple_LearnerPromotedAndDemoted()
    {
        var trk = Tracker(Add(1), Learner(2));
        Assert.Equal("voters=(1) learners=(2)", trk.Config.ToString());
        Assert.True(trk.Get(2)!.IsLearner);
        var (cfg, prs) = new Changer(trk, 10, 0).Simple([Add(2)]);
        Assert.Equal("voters=(1 2)", cfg.ToString());
        Assert.False(prs[2].IsLearner);

        // The original is untouched: the changer works on a copy.
        Assert.True(trk.Get(2)!.IsLearner);
    }

    [Fact]
    public void EnterJoint_KeepsTheOldVotersAsTheOutgoingHalf()
    {
        var trk = Tracker(Add(1), Add(2), Add(3));
        var (cfg, prs) = new Changer(trk, 10, 0).EnterJoint(autoLeave: true, [Add(4), Remove(3)]);
        Assert.Equal("voters=(1 2 4)&&(1 2 3) autoleave", cfg.ToString());
        Assert.True(prs.ContainsKey(3));
        trk.Switch(cfg, prs);
        var (left, lprs) = new Changer(trk, 10, 0).LeaveJoint();
        Assert.Equal("voters=(1 2 4)", left.ToString());
        Assert.False(lprs.ContainsKey(3));
    }

    [Fact]
    public void EnterJoint_DemotedVoter_WaitsInLearnersNext()
    {
        var trk = Tracker(Add(1), Add(2), Add(3));
        var (cfg, prs) = new Changer(trk, 10, 0).EnterJoint(autoLeave: false, [Learner(3)]);
        Assert.Equal("voters=(1 2)&&(1 2 3) learners_next=(3)", cfg.ToString());
        trk.Switch(cfg, prs);
        var (left, lprs) = new Changer(trk, 10, 0).LeaveJoint();
        Assert.Equal("voters=(1 2) learners=(3)", left.ToString());
        Assert.True(lprs[3].IsLearner);
    }

    [Fact]
    public void EnterJoint_AlreadyJoint_OrZeroVoters_IsRefused()
    {
        var trk = Tracker(Add(1));
        var (cfg, prs) = new Changer(trk, 10, 0).EnterJoint(false, [Add(2)]);
        trk.Switch(cfg, prs);
        Assert.Throws<ConfChangeException>(() => new Changer(trk, 10, 0).EnterJoint(false, [Add(3)]));
        Assert.Throws<ConfChangeException>(() => new Changer(trk, 10, 0).Simple([Add(3)]));
        Assert.Throws<ConfChangeException>(() => new Changer(new ProgressTracker(4, 0), 10, 0).EnterJoint(false, [Add(3)]));
        Assert.Throws<ConfChangeException>(() => new Changer(Tracker(Add(1)), 10, 0).LeaveJoint());
    }

    [Fact]
    public void Restore_RebuildsJointConfigsWithLearnersNext()
    {
        var cs = new ConfState { AutoLeave = true };
        cs.Voters.AddRange([1, 2, 4]);
        cs.VotersOutgoing.AddRange([1, 2, 3]);
        cs.Learners.Add(5);
        var trk = new ProgressTracker(4, 0);
        var (cfg, prs) = Restore.Apply(new Changer(trk, 10, 0), cs);
        Assert.Equal("voters=(1 2 4)&&(1 2 3) learners=(5) autoleave", cfg.ToString());
        Assert.Equal(5, prs.Count);

        var cs2 = new ConfState();
        cs2.Voters.AddRange([1, 2]);
        cs2.VotersOutgoing.AddRange([1, 2, 3]);
        cs2.LearnersNext.Add(3);
        var (cfg2, _) = Restore.Apply(new Changer(trk, 10, 0), cs2);
        Assert.Equal("voters=(1 2)&&(1 2 3) learners_next=(3)", cfg2.ToString());
    }

    [Fact]
    public void NewMember_StartsProbingFromTheLastIndexAndCountsAsActive()
    {
        var trk = Tracker(Add(1));
        var (_, prs) = new Changer(trk, 42, 7).Simple([Add(2)]);
        Assert.Equal(42UL, prs[2].Next);
        Assert.Equal(0UL, prs[2].Match);
        Assert.True(prs[2].RecentActive);
        Assert.Equal(7, prs[2].LastResponseTick);
    }
}

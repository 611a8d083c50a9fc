using System.Text;
using Kvasir.Raft.Quorum;

namespace Kvasir.Raft.Tracker;

/// <summary>
/// A membership: the voters (joint while a change is under way), the learners, and the learners
/// to be (voters demoted by a joint change, which vote in the outgoing half until it is left).
/// Immutable; a change builds a new one.
/// </summary>
/// <remarks>
/// Invariants (checked by the Changer): a learner is in neither voter half; a node in
/// LearnersNext is an outgoing voter and not yet a learner; LearnersNext and AutoLeave are empty
/// and false when not joint.
/// </remarks>
internal sealed class TrackerConfig
{
    public static readonly TrackerConfig Empty = new(JointConfig.Empty, MajorityConfig.Empty, MajorityConfig.Empty, autoLeave: false);

    public TrackerConfig(JointConfig voters, MajorityConfig learners, MajorityConfig learnersNext, bool autoLeave)
    {
        Voters = voters;
        Learners = learners;
        LearnersNext = learnersNext;
        AutoLeave = autoLeave;
    }

    public JointConfig Voters { get; }

    public MajorityConfig Learners { get; }

    public MajorityConfig LearnersNext { get; }

    /// <summary>Leave the joint configuration automatically once it is applied.</summary>
    public bool AutoLeave { get; }

    public TrackerConfig With(JointConfig? voters = null, MajorityConfig? learners = null, MajorityConfig? learnersNext = null, bool? autoLeave = null) =>
        new(voters ?? Voters, learners ?? Learners, learnersNext ?? LearnersNext, autoLeave ?? AutoLeave);

    /// <summary>The configuration as the ConfState snapshots persist.</summary>
    public ConfState ToConfState()
    {
        var cs = new ConfState { AutoLeave = AutoLeave };
        cs.Voters.AddRange(Voters.Incoming.ToArray());
        cs.VotersOutgoing.AddRange(Voters.Outgoing.ToArray());
        cs.Learners.AddRange(Learners.ToArray());
        cs.LearnersNext.AddRange(LearnersNext.ToArray());
        return cs;
    }

    /// <summary>"voters=(1 2 3)&amp;&amp;(1 2) learners=(4) learners_next=(3) autoleave".</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("voters=").Append(Voters);
        if (Learners.Count > 0)
        {
            sb.Append(" learners=").Append(Learners);
        }

        if (LearnersNext.Count > 0)
        {
            sb.Append(" learners_next=").Append(LearnersNext);
        }

        if (AutoLeave)
        {
            sb.Append(" autoleave");
        }

        return sb.ToString();
    }
}

using Kvasir.Raft.Tracker;

namespace Kvasir.Raft.ConfChanges;

/// <summary>
/// Rebuilds a membership from a ConfState (at start, or when a snapshot is installed) by replaying
/// changes onto an empty configuration, so that every invariant of the Changer is checked on it.
/// </summary>
internal static class Restore
{
    /// <summary>
    /// A non-joint ConfState becomes a series of simple changes (add each voter, then each learner).
    /// A joint one first builds the outgoing voters with simple changes, then enters the joint
    /// configuration by removing them all and adding the incoming voters and the learners; a learner
    /// to be is added as a learner while it is still an outgoing voter, which lands it in LearnersNext.
    /// </summary>
    public static (TrackerConfig Config, Dictionary<ulong, Progress> Progress) Apply(Changer changer, ConfState cs)
    {
        var outgoing = new List<ConfChangeSingle>();
        var incoming = new List<ConfChangeSingle>();
        foreach (var id in cs.VotersOutgoing)
        {
            outgoing.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddNode, NodeId = id });
        }

        foreach (var id in cs.VotersOutgoing)
        {
            incoming.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeRemoveNode, NodeId = id });
        }

        foreach (var id in cs.Voters)
        {
            incoming.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddNode, NodeId = id });
        }

        foreach (var id in cs.Learners)
        {
            incoming.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddLearnerNode, NodeId = id });
        }

        foreach (var id in cs.LearnersNext)
        {
            incoming.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddLearnerNode, NodeId = id });
        }

        var config = TrackerConfig.Empty;
        var progress = new Dictionary<ulong, Progress>();
        if (outgoing.Count == 0)
        {
            foreach (var cc in incoming)
            {
                (config, progress) = changer.From(config, progress).Simple([cc]);
            }

            return (config, progress);
        }

        foreach (var cc in outgoing)
        {
            (config, progress) = changer.From(config, progress).Simple([cc]);
        }

        return changer.From(config, progress).EnterJoint(cs.AutoLeave, incoming);
    }
}

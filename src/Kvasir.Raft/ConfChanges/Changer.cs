using Kvasir.Raft.Quorum;
using Kvasir.Raft.Tracker;

namespace Kvasir.Raft.ConfChanges;

/// <summary>
/// Computes the membership that results from a configuration change, without touching the one in
/// force: it works on a copy and returns it, or throws <see cref="ConfChangeException"/>. The
/// caller installs the result (ProgressTracker.Switch).
/// </summary>
/// <remarks>
/// Three operations, as etcd's confchange: Simple (at most one voter changes, no joint state),
/// EnterJoint (the incoming half takes the changes, the outgoing half keeps the old voters) and
/// LeaveJoint (drop the outgoing half; demoted voters become learners).
/// </remarks>
internal readonly struct Changer
{
    private readonly TrackerConfig _config;
    private readonly Dictionary<ulong, Progress> _progress;
    private readonly ProgressTracker _tracker;
    private readonly ulong _lastIndex;
    private readonly long _tick;

    /// <param name="tracker">Gives the configuration to start from and makes inflights windows.</param>
    /// <param name="lastIndex">The log's last index: new members are probed from there.</param>
    /// <param name="tick">The node's tick count, stamped on new members as their last activity.</param>
    public Changer(ProgressTracker tracker, ulong lastIndex, long tick)
        : this(tracker, tracker.Config, tracker.ProgressMap, lastIndex, tick)
    {
    }

    private Changer(ProgressTracker tracker, TrackerConfig config, Dictionary<ulong, Progress> progress, ulong lastIndex, long tick)
    {
        _tracker = tracker;
        _config = config;
        _progress = progress;
        _lastIndex = lastIndex;
        _tick = tick;
    }

    /// <summary>A changer that starts from a configuration computed earlier (used by Restore to chain steps).</summary>
    public Changer From(TrackerConfig config, Dictionary<ulong, Progress> progress) => new(_tracker, config, progress, _lastIndex, _tick);

    public (TrackerConfig Config, Dictionary<ulong, Progress> Progress) EnterJoint(bool autoLeave, IReadOnlyList<ConfChangeSingle> changes)
    {
        var d = CheckAndCopy();
        if (d.Outgoing.Count > 0)
        {
            throw new ConfChangeException("config is already joint");
        }

        if (d.Incoming.Count == 0)
        {
            // A zero-voter config can only be the initial one (before bootstrap): it has to be
            // filled with simple changes, never through a joint configuration.
            throw new ConfChangeException("can't make a zero-voter config joint");
        }

        d.Outgoing = d.Incoming;
        Apply(d, changes);
        d.AutoLeave = autoLeave;
        return CheckAndReturn(d);
    }

    public (TrackerConfig Config, Dictionary<ulong, Progress> Progress) LeaveJoint()
    {
        var d = CheckAndCopy();
        if (d.Outgoing.Count == 0)
        {
            throw new ConfChangeException("can't leave a non-joint config");
        }

        foreach (var id in d.LearnersNext.Ids)
        {
            d.Learners = d.Learners.With(id);
            d.Progress[id].IsLearner = true;
        }

        d.LearnersNext = MajorityConfig.Empty;
        foreach (var id in d.Outgoing.Ids)
        {
            if (!d.Incoming.Contains(id) && !d.Learners.Contains(id))
            {
                d.Progress.Remove(id);
            }
        }

        d.Outgoing = MajorityConfig.Empty;
        d.AutoLeave = false;
        return CheckAndReturn(d);
    }

    public (TrackerConfig Config, Dictionary<ulong, Progress> Progress) Simple(IReadOnlyList<ConfChangeSingle> changes)
    {
        var d = CheckAndCopy();
        if (d.Outgoing.Count > 0)
        {
            throw new ConfChangeException("can't apply simple config change in joint config");
        }

        Apply(d, changes);
        if (SymmetricDifference(_config.Voters.Incoming, d.Incoming) > 1)
        {
            throw new ConfChangeException("more than one voter changed without entering joint config");
        }

        return CheckAndReturn(d);
    }

    private void Apply(Draft d, IReadOnlyList<ConfChangeSingle> changes)
    {
        foreach (var cc in changes)
        {
            // Node 0 is "nobody": etcd's clients send it for an empty change; it changes nothing.
            if (cc.NodeId == 0)
            {
                continue;
            }

            switch (cc.Type)
            {
                case ConfChangeType.ConfChangeAddNode:
                    MakeVoter(d, cc.NodeId);
                    break;
                case ConfChangeType.ConfChangeAddLearnerNode:
                    MakeLearner(d, cc.NodeId);
                    break;
                case ConfChangeType.ConfChangeRemoveNode:
                    Remove(d, cc.NodeId);
                    break;
                case ConfChangeType.ConfChangeUpdateNode:
                    break;
                default:
                    throw new ConfChangeException($"unknown conf change type {(int)cc.Type}");
            }
        }

        if (d.Incoming.Count == 0)
        {
            throw new ConfChangeException("removed all voters");
        }
    }

    private void MakeVoter(Draft d, ulong id)
    {
        if (!d.Progress.TryGetValue(id, out var pr))
        {
            InitProgress(d, id, isLearner: false);
            return;
        }

        pr.IsLearner = false;
        d.Learners = d.Learners.Without(id);
        d.LearnersNext = d.LearnersNext.Without(id);
        d.Incoming = d.Incoming.With(id);
    }

    // A voter in the outgoing half cannot become a learner until the joint config is left: it
    // still votes there. It waits in LearnersNext meanwhile.
    private void MakeLearner(Draft d, ulong id)
    {
        if (!d.Progress.TryGetValue(id, out var pr))
        {
            InitProgress(d, id, isLearner: true);
            return;
        }

        if (pr.IsLearner)
        {
            return;
        }

        Remove(d, id);
        d.Progress[id] = pr;
        if (d.Outgoing.Contains(id))
        {
            d.LearnersNext = d.LearnersNext.With(id);
        }
        else
        {
            pr.IsLearner = true;
            d.Learners = d.Learners.With(id);
        }
    }

    // The progress stays while the node is an outgoing voter: the joint quorum still counts it.
    private static void Remove(Draft d, ulong id)
    {
        if (!d.Progress.ContainsKey(id))
        {
            return;
        }

        d.Incoming = d.Incoming.Without(id);
        d.Learners = d.Learners.Without(id);
        d.LearnersNext = d.LearnersNext.Without(id);
        if (!d.Outgoing.Contains(id))
        {
            d.Progress.Remove(id);
        }
    }

    private void InitProgress(Draft d, ulong id, bool isLearner)
    {
        if (isLearner)
        {
            d.Learners = d.Learners.With(id);
        }
        else
        {
            d.Incoming = d.Incoming.With(id);
        }

        // Probe from the last index: the new member most likely has nothing, and the probe's
        // rejection tells where its log ends. A new member counts as active so that check-quorum
        // does not depose the leader before it had a chance to answer.
        d.Progress[id] = new Progress(Math.Max(_lastIndex, 1), _tracker.NewInflights(), isLearner)
        {
            RecentActive = true,
            LastResponseTick = _tick,
        };
    }

    private Draft CheckAndCopy()
    {
        var copy = new Dictionary<ulong, Progress>(_progress.Count);
        foreach (var (id, pr) in _progress)
        {
            copy[id] = pr.Copy();
        }

        var d = new Draft
        {
            Incoming = _config.Voters.Incoming,
            Outgoing = _config.Voters.Outgoing,
            Learners = _config.Learners,
            LearnersNext = _config.LearnersNext,
            AutoLeave = _config.AutoLeave,
            Progress = copy,
        };
        CheckInvariants(d);
        return d;
    }

    private static (TrackerConfig Config, Dictionary<ulong, Progress> Progress) CheckAndReturn(Draft d)
    {
        CheckInvariants(d);
        var config = new TrackerConfig(new JointConfig(d.Incoming, d.Outgoing), d.Learners, d.LearnersNext, d.AutoLeave);
        return (config, d.Progress);
    }

    private static void CheckInvariants(Draft d)
    {
        foreach (var set in (ReadOnlySpan<MajorityConfig>)[d.Incoming, d.Outgoing, d.Learners, d.LearnersNext])
        {
            foreach (var id in set.Ids)
            {
                if (!d.Progress.ContainsKey(id))
                {
                    throw new ConfChangeException($"no progress for {id}");
                }
            }
        }

        foreach (var id in d.LearnersNext.Ids)
        {
            if (!d.Outgoing.Contains(id))
            {
                throw new ConfChangeException($"{id} is in LearnersNext, but not in the outgoing voters");
            }

            if (d.Progress[id].IsLearner)
            {
                throw new ConfChangeException($"{id} is in LearnersNext, but is already marked as learner");
            }
        }

        foreach (var id in d.Learners.Ids)
        {
            if (d.Outgoing.Contains(id))
            {
                throw new ConfChangeException($"{id} is in Learners and in the outgoing voters");
            }

            if (d.Incoming.Contains(id))
            {
                throw new ConfChangeException($"{id} is in Learners and in the incoming voters");
            }

            if (!d.Progress[id].IsLearner)
            {
                throw new ConfChangeException($"{id} is in Learners, but is not marked as learner");
            }
        }

        if (d.Outgoing.Count == 0)
        {
            if (d.LearnersNext.Count > 0)
            {
                throw new ConfChangeException("LearnersNext must be empty when not joint");
            }

            if (d.AutoLeave)
            {
                throw new ConfChangeException("AutoLeave must be false when not joint");
            }
        }
    }

    private static int SymmetricDifference(MajorityConfig a, MajorityConfig b)
    {
        var n = 0;
        foreach (var id in a.Ids)
        {
            if (!b.Contains(id))
            {
                n++;
            }
        }

        foreach (var id in b.Ids)
        {
            if (!a.Contains(id))
            {
                n++;
            }
        }

        return n;
    }

    // The configuration being built: plain fields, changed step by step, checked at the end.
    private sealed class Draft
    {
        public required MajorityConfig Incoming;
        public required MajorityConfig Outgoing;
        public required MajorityConfig Learners;
        public required MajorityConfig LearnersNext;
        public required bool AutoLeave;
        public required Dictionary<ulong, Progress> Progress;
    }
}

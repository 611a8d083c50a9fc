using Google.Protobuf;
using Kvasir.Raft.ConfChanges;
using Kvasir.Raft.Tracker;

namespace Kvasir.Raft;

// Membership: checking proposed changes, applying committed ones, installing snapshots' configs.
internal sealed partial class Raft
{
    /// <summary>
    /// Why the leader refuses to append a conf change, or null to accept it. One change at a time:
    /// a change may be proposed only once the previous one is applied, which is also what makes the
    /// check against the configuration in force exact — the change will apply to this very one.
    /// </summary>
    private string? CheckConfChangeProposal(Entry e, ulong pendingConfIndex)
    {
        ConfChangeV2 cc;
        try
        {
            cc = DecodeConfChange(e);
        }
        catch (InvalidProtocolBufferException ex)
        {
            return $"undecodable conf change: {ex.Message}";
        }

        if (pendingConfIndex > Log.Applied)
        {
            return $"possible unapplied conf change at index {pendingConfIndex} (applied to {Log.Applied})";
        }

        var alreadyJoint = _trk.Config.Voters.IsJoint;
        var wantsLeaveJoint = cc.Changes.Count == 0;
        if (alreadyJoint && !wantsLeaveJoint)
        {
            return "must transition out of joint config first";
        }

        if (!alreadyJoint && wantsLeaveJoint)
        {
            return "not in joint state; refusing empty conf change";
        }

        try
        {
            _ = Compute(cc);
        }
        catch (ConfChangeException ex)
        {
            return ex.Message;
        }

        return null;
    }

    /// <summary>A conf change entry's payload as a ConfChangeV2 (an empty payload is the empty change).</summary>
    public static ConfChangeV2 DecodeConfChange(Entry e) => e.Type switch
    {
        EntryType.EntryConfChange => ConfChange.Parser.ParseFrom(e.Data).AsV2(),
        EntryType.EntryConfChangeV2 => ConfChangeV2.Parser.ParseFrom(e.Data),
        _ => throw new InvalidOperationException($"entry {e.Index} of type {e.Type} is not a conf change"),
    };

    /// <summary>
    /// Applies a committed conf change to the membership and returns the new ConfState. An invalid
    /// change throws <see cref="ConfChangeException"/> and changes nothing.
    /// </summary>
    public ConfState ApplyConfChange(ConfChangeV2 cc)
    {
        var (config, progress) = Compute(cc);
        return SwitchToConfig(config, progress);
    }

    private (TrackerConfig Config, Dictionary<ulong, Progress> Progress) Compute(ConfChangeV2 cc)
    {
        var changer = new Changer(_trk, Log.LastIndex(), Ticks);
        if (cc.LeaveJoint())
        {
            return changer.LeaveJoint();
        }

        return cc.EnterJoint(out var autoLeave) ? changer.EnterJoint(autoLeave, cc.Changes) : changer.Simple(cc.Changes);
    }

    /// <summary>
    /// Installs a membership and reacts to it: a leader removed or demoted steps down; a leader
    /// commits what the new quorum allows and probes new members; a transfer to a node that is no
    /// longer a voter is abandoned.
    /// </summary>
    private ConfState SwitchToConfig(TrackerConfig config, Dictionary<ulong, Progress> progress)
    {
        _trk.Switch(config, progress);
        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            _logger.Log(RaftLogLevel.Info, $"{Id} switched to configuration {_trk.Config}");
        }

        var cs = config.ToConfState();
        var self = _trk.Get(Id);
        IsLearner = self is not null && self.IsLearner;
        if (State is StateType.Candidate or StateType.PreCandidate && (self is null || IsLearner))
        {
            // No longer a voter: this candidacy cannot stand.
            BecomeFollower(Term, None);
            return cs;
        }

        if (State != StateType.Leader || cs.Voters.Count == 0)
        {
            return cs;
        }

        MaybeCommit();
        _appendsPending = true;
        if (LeadTransferee != None && !config.Voters.Contains(LeadTransferee))
        {
            AbortLeaderTransfer();
        }

        if (self is null || IsLearner)
        {
            HandOffLeadership();
        }

        return cs;
    }

    /// <summary>
    /// A leader that is no longer a voter hands leadership to the most caught-up voter instead of
    /// stepping down at once. The remaining voters may not know yet that the change is committed;
    /// while they do not, they still use the joint configuration and may need this node's vote,
    /// which it would refuse to a candidate with a shorter log. So it keeps leading (taking no new
    /// proposals) until a voter has every entry, then tells it to campaign (TimeoutNow) and votes
    /// for it. Retried every election timeout until another node leads.
    /// </summary>
    private void HandOffLeadership()
    {
        if (LeadTransferee != None)
        {
            return;
        }

        var successor = MostCaughtUpVoter();
        if (successor == None)
        {
            BecomeFollower(Term, None);
            return;
        }

        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            _logger.Log(RaftLogLevel.Info, $"{Id} [term {Term}] is no longer a voter and hands leadership to {successor}");
        }

        _electionElapsed = 0;
        LeadTransferee = successor;
        if (_trk.ProgressMap[successor].Match == Log.LastIndex())
        {
            SendTimeoutNow(successor);
        }
        else
        {
            _appendsPending = true;
        }
    }

    /// <summary>Whether this node leads a configuration it does not vote in (it was removed or demoted).</summary>
    private bool LeadsWithoutVote => State == StateType.Leader && (_trk.Get(Id) is not { } self || self.IsLearner);

    private ulong MostCaughtUpVoter()
    {
        ulong best = None;
        ulong bestMatch = 0;
        foreach (var id in _trk.Ids)
        {
            var pr = _trk.ProgressMap[id];
            if (id != Id && !pr.IsLearner && _trk.Config.Voters.Contains(id) && (best == None || pr.Match > bestMatch))
            {
                best = id;
                bestMatch = pr.Match;
            }
        }

        return best;
    }

    /// <summary>The leader leaves a joint configuration marked AutoLeave once it is applied.</summary>
    private void MaybeAutoLeaveJoint()
    {
        if (State != StateType.Leader || !_trk.Config.AutoLeave || Log.Applied < PendingConfIndex || LeadTransferee != None)
        {
            return;
        }

        // An empty ConfChangeV2 leaves the joint configuration; it is never refused for size.
        var result = ProposeLocal(new Entry { Type = EntryType.EntryConfChangeV2 });
        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            _logger.Log(RaftLogLevel.Info, result == ProposalResult.Accepted
                ? $"initiating automatic transition out of joint configuration {_trk.Config}"
                : $"not initiating automatic transition out of joint configuration {_trk.Config}: {result}");
        }
    }

    /// <summary>
    /// Installs a snapshot from the leader when it is newer than our commit index and includes us.
    /// When our log already holds the snapshot's last entry, only the commit index moves.
    /// </summary>
    private bool RestoreSnapshot(Snapshot snapshot)
    {
        var meta = snapshot.Metadata;
        if (meta.Index <= Log.Committed)
        {
            return false;
        }

        if (State != StateType.Follower)
        {
            // Only a follower is ever sent a snapshot; refuse loudly rather than lose a term's state.
            if (_logger.IsEnabled(RaftLogLevel.Warning))
            {
                _logger.Log(RaftLogLevel.Warning, $"{Id} attempted to restore snapshot as {State}; should never happen");
            }

            BecomeFollower(Term + 1, None);
            return false;
        }

        var cs = meta.ConfState ?? new ConfState();
        if (!cs.Voters.Contains(Id) && !cs.Learners.Contains(Id) && !cs.VotersOutgoing.Contains(Id))
        {
            if (_logger.IsEnabled(RaftLogLevel.Warning))
            {
                _logger.Log(RaftLogLevel.Warning, $"{Id} attempted to restore snapshot but it is not in the ConfState {cs}; should never happen");
            }

            return false;
        }

        if (Log.MatchTerm(meta.Index, meta.Term))
        {
            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                var (li, lt) = Log.LastEntryId();
                _logger.Log(RaftLogLevel.Info, $"{Id} [commit: {Log.Committed}, lastindex: {li}, lastterm: {lt}] fast-forwarded commit to snapshot [index: {meta.Index}, term: {meta.Term}]");
            }

            Log.CommitTo(meta.Index);
            return false;
        }

        Log.Restore(snapshot);
        _trk = new ProgressTracker(_trk.MaxInflight, _trk.MaxInflightBytes);
        RestoreConfig(cs);
        return true;
    }

    /// <summary>Rebuilds the membership from a ConfState (start, snapshot) and checks the result says the same.</summary>
    private void RestoreConfig(ConfState cs)
    {
        var (config, progress) = Restore.Apply(new Changer(_trk, Log.LastIndex(), Ticks), cs);
        var got = SwitchToConfig(config, progress);
        if (!ConfStatesEquivalent(cs, got))
        {
            throw new InvalidOperationException($"ConfState {cs} restored as {got}");
        }
    }

    private static bool ConfStatesEquivalent(ConfState a, ConfState b) =>
        SameSet(a.Voters, b.Voters) && SameSet(a.Learners, b.Learners) && SameSet(a.VotersOutgoing, b.VotersOutgoing)
        && SameSet(a.LearnersNext, b.LearnersNext) && a.AutoLeave == b.AutoLeave;

    private static bool SameSet(IList<ulong> a, IList<ulong> b)
    {
        var x = new SortedSet<ulong>(a);
        var y = new SortedSet<ulong>(b);
        return x.SetEquals(y);
    }
}

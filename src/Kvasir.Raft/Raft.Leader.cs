using Kvasir.Raft.Tracker;

namespace Kvasir.Raft;

// A leader: takes proposals, tracks what each follower holds, commits, answers reads.
internal sealed partial class Raft
{
    private ProposalResult StepLeader(Message m)
    {
        switch (m.Type)
        {
            case MessageType.MsgProp:
                return ProposeForwarded(m);
            case MessageType.MsgReadIndex:
                return LeaderReadIndex(m);
        }

        var pr = _trk.Get(m.From);
        if (pr is null)
        {
            if (_logger.IsEnabled(RaftLogLevel.Debug))
            {
                _logger.Log(RaftLogLevel.Debug, $"{Id} no progress available for {m.From}");
            }

            return ProposalResult.Accepted;
        }

        switch (m.Type)
        {
            case MessageType.MsgAppResp:
                pr.RecentActive = true;
                pr.LastResponseTick = Ticks;
                if (m.Reject)
                {
                    HandleAppendRejection(m, pr);
                }
                else
                {
                    HandleAppendAck(m, pr);
                }

                break;
            case MessageType.MsgHeartbeatResp:
                HandleHeartbeatResponse(m, pr);
                break;
            case MessageType.MsgTransferLeader:
                HandleTransferLeader(m.From, pr);
                break;
        }

        return ProposalResult.Accepted;
    }

    /// <summary>Appends a proposal made on this node. The entry is fresh and becomes the log's.</summary>
    public ProposalResult ProposeLocal(Entry entry)
    {
        switch (State)
        {
            case StateType.Leader:
                _appendScratch.Clear();
                _appendScratch.Add(entry);
                var result = LeaderPropose(_appendScratch, local: true);
                _appendScratch.Clear();
                return result;
            case StateType.Follower:
                var m = new Message { Type = MessageType.MsgProp, From = Id };
                m.Entries.Add(entry);
                return ForwardProposal(m);
            default:
                if (_logger.IsEnabled(RaftLogLevel.Info))
                {
                    _logger.Log(RaftLogLevel.Info, $"{Id} no leader at term {Term}; dropping proposal");
                }

                return ProposalResult.NoLeader;
        }
    }

    // A proposal forwarded by a follower: its entries belong to the message, so copy them before
    // giving them this term and their indexes.
    private ProposalResult ProposeForwarded(Message m)
    {
        var entries = new List<Entry>(m.Entries.Count);
        foreach (var e in m.Entries)
        {
            entries.Add(e.Clone());
        }

        // Even when it comes back to the node that made it, a forwarded batch is not refused
        // whole for one conf change: the caller was told Accepted long ago.
        return LeaderPropose(entries, local: false);
    }

    private ProposalResult LeaderPropose(List<Entry> entries, bool local)
    {
        if (_trk.Get(Id) is null)
        {
            // Removed from the configuration while leading: take nothing new.
            return ProposalResult.NotInConfiguration;
        }

        if (LeadTransferee != None)
        {
            if (_logger.IsEnabled(RaftLogLevel.Debug))
            {
                _logger.Log(RaftLogLevel.Debug, $"{Id} [term {Term}] transfer leadership to {LeadTransferee} is in progress; dropping proposal");
            }

            return ProposalResult.LeaderTransferInProgress;
        }

        var pendingConfIndex = PendingConfIndex;
        var lastIndex = Log.LastIndex();
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e.Type is not (EntryType.EntryConfChange or EntryType.EntryConfChangeV2))
            {
                continue;
            }

            var refusal = CheckConfChangeProposal(e, pendingConfIndex);
            if (refusal is null)
            {
                pendingConfIndex = lastIndex + (ulong)i + 1;
                continue;
            }

            if (_logger.IsEnabled(RaftLogLevel.Warning))
            {
                _logger.Log(RaftLogLevel.Warning, $"{Id} ignoring conf change at config {_trk.Config}: {refusal}");
            }

            if (local)
            {
                return ProposalResult.ConfChangeRefused;
            }

            // A forwarded batch keeps its other entries; the refused change becomes a no-op.
            entries[i] = new Entry();
        }

        if (!AppendEntries(entries))
        {
            if (_logger.IsEnabled(RaftLogLevel.Warning))
            {
                _logger.Log(RaftLogLevel.Warning, $"{Id} appending new entries to log would exceed uncommitted entry size limit; dropping proposal");
            }

            return ProposalResult.UncommittedSizeLimit;
        }

        PendingConfIndex = pendingConfIndex;
        _appendsPending = true;
        return ProposalResult.Accepted;
    }

    /// <summary>Gives entries this term and the next indexes, and appends them. False when the uncommitted-size limit refuses them.</summary>
    private bool AppendEntries(List<Entry> entries)
    {
        if (!IncreaseUncommittedSize(entries))
        {
            return false;
        }

        var last = Log.LastIndex();
        for (var i = 0; i < entries.Count; i++)
        {
            entries[i].Term = Term;
            entries[i].Index = last + 1 + (ulong)i;
        }

        // Our own copy counts towards the commit only once persisted (OnEntriesPersisted).
        Log.Append(entries);
        return true;
    }

    private void HandleAppendRejection(Message m, Progress pr)
    {
        // RejectHint is where the follower suggests probing next, LogTerm its term there. If
        // our term at the hint is higher, no index between the hint and our first entry of a
        // term at most LogTerm can match either (terms only grow along a log): skip them all.
        if (_logger.IsEnabled(RaftLogLevel.Debug))
        {
            _logger.Log(RaftLogLevel.Debug, $"{Id} received MsgAppResp(rejected, hint: (index {m.RejectHint}, term {m.LogTerm})) from {m.From} for index {m.Index}");
        }

        var nextProbe = m.RejectHint;
        if (m.LogTerm > 0)
        {
            nextProbe = Log.FindConflictByTerm(m.RejectHint, m.LogTerm).Index;
        }

        if (pr.MaybeDecrTo(m.Index, nextProbe))
        {
            if (_logger.IsEnabled(RaftLogLevel.Debug))
            {
                _logger.Log(RaftLogLevel.Debug, $"{Id} decreased progress of {m.From} to [{pr}]");
            }

            if (pr.State == ProgressState.Replicate)
            {
                pr.BecomeProbe();
            }

            _appendsPending = true;
        }
    }

    private void HandleAppendAck(Message m, Progress pr)
    {
        // An ack that moves Match, or one that confirms a probing follower is caught up
        // (a heartbeat after ReportUnreachable), lets the leader stream again.
        if (!pr.MaybeUpdate(m.Index) && !(pr.Match == m.Index && pr.State == ProgressState.Probe))
        {
            return;
        }

        switch (pr.State)
        {
            case ProgressState.Probe:
                pr.BecomeReplicate();
                break;
            case ProgressState.Snapshot when pr.Match + 1 >= Log.FirstIndex():
                // The follower can be caught up from the log now, whatever snapshot it applied.
                if (_logger.IsEnabled(RaftLogLevel.Debug))
                {
                    _logger.Log(RaftLogLevel.Debug, $"{Id} recovered from needing snapshot, resumed sending replication messages to {m.From} [{pr}]");
                }

                pr.BecomeProbe();
                pr.BecomeReplicate();
                break;
            case ProgressState.Replicate:
                pr.Inflights.FreeLE(m.Index);
                break;
        }

        if (MaybeCommit())
        {
            // An entry of this term is committed: reads waiting for that may proceed.
            ReleasePendingReadIndexMessages();
        }

        // Send what the freed window allows, and the new commit index, with the next Ready.
        _appendsPending = true;
        if (m.From == LeadTransferee && pr.Match == Log.LastIndex())
        {
            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                _logger.Log(RaftLogLevel.Info, $"{Id} sent MsgTimeoutNow to {m.From} after received MsgAppResp");
            }

            SendTimeoutNow(m.From);
        }
    }

    private void HandleHeartbeatResponse(Message m, Progress pr)
    {
        pr.RecentActive = true;
        pr.LastResponseTick = Ticks;
        pr.MsgAppFlowPaused = false;
        if (m.Index > pr.LeaseStamp)
        {
            pr.LeaseStamp = m.Index;
        }

        // Even a full inflights window gets an append here, so replication recovers when every
        // append in flight was lost; a caught-up follower in Probe gets one to move to Replicate.
        if (pr.Match < Log.LastIndex() || pr.State == ProgressState.Probe)
        {
            MaybeSendAppend(m.From, sendIfEmpty: true);
        }

        // Confirmations of queued reads (the safe mode's, or the lease-based mode's fallback).
        if (m.Context.IsEmpty)
        {
            return;
        }

        _readOnly.RecvAck(m.From, m.Context);
        var confirmed = _readOnly.MaybeAdvance(_trk.Config.Voters);
        foreach (var (request, index) in confirmed)
        {
            RespondToReadIndex(request, index);
        }
    }

    private void HandleTransferLeader(ulong transferee, Progress pr)
    {
        if (pr.IsLearner)
        {
            if (_logger.IsEnabled(RaftLogLevel.Debug))
            {
                _logger.Log(RaftLogLevel.Debug, $"{Id} is learner. Ignored transferring leadership");
            }

            return;
        }

        if (LeadTransferee != None)
        {
            if (LeadTransferee == transferee)
            {
                if (_logger.IsEnabled(RaftLogLevel.Info))
                {
                    _logger.Log(RaftLogLevel.Info, $"{Id} [term {Term}] transfer leadership to {transferee} is in progress, ignores request to same node {transferee}");
                }

                return;
            }

            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                _logger.Log(RaftLogLevel.Info, $"{Id} [term {Term}] abort previous transferring leadership to {LeadTransferee}");
            }

            AbortLeaderTransfer();
        }

        if (transferee == Id)
        {
            return;
        }

        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            _logger.Log(RaftLogLevel.Info, $"{Id} [term {Term}] starts to transfer leadership to {transferee}");
        }

        // The transfer must finish within an election timeout (TickHeartbeat aborts it).
        _electionElapsed = 0;
        LeadTransferee = transferee;
        if (pr.Match == Log.LastIndex())
        {
            SendTimeoutNow(transferee);
        }
        else
        {
            // Catch the target up first; HandleAppendAck sends TimeoutNow once it matches.
            MaybeSendAppend(transferee, sendIfEmpty: true);
        }
    }

    private void SendTimeoutNow(ulong to)
    {
        // The target campaigns at once, bypassing the followers' lease: ours is void from now on.
        _leaseVoid = true;
        Send(new Message { To = to, Type = MessageType.MsgTimeoutNow });
    }

    /// <summary>Commits the highest index a quorum holds durably, if it is of this term.</summary>
    private bool MaybeCommit()
    {
        if (!Log.MaybeCommit(_trk.Committed(), Term))
        {
            return false;
        }

        _appendsPending = true;
        return true;
    }
}

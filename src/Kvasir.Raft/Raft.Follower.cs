namespace Kvasir.Raft;

// A follower: forwards requests to its leader, appends what the leader sends, votes.
internal sealed partial class Raft
{
    private ProposalResult StepFollower(Message m)
    {
        switch (m.Type)
        {
            case MessageType.MsgProp:
                return ForwardProposal(m);
            case MessageType.MsgApp:
                _electionElapsed = 0;
                Lead = m.From;
                HandleAppendEntries(m);
                break;
            case MessageType.MsgHeartbeat:
                _electionElapsed = 0;
                Lead = m.From;
                HandleHeartbeat(m);
                break;
            case MessageType.MsgSnap:
                _electionElapsed = 0;
                Lead = m.From;
                HandleSnapshot(m);
                break;
            case MessageType.MsgTransferLeader:
                if (Lead == None)
                {
                    if (_logger.IsEnabled(RaftLogLevel.Info))
                    {
                        _logger.Log(RaftLogLevel.Info, $"{Id} no leader at term {Term}; dropping leader transfer msg");
                    }

                    break;
                }

                Send(new Message { Type = MessageType.MsgTransferLeader, To = Lead, From = m.From });
                break;
            case MessageType.MsgTimeoutNow:
                if (_logger.IsEnabled(RaftLogLevel.Info))
                {
                    _logger.Log(RaftLogLevel.Info, $"{Id} [term {Term}] received MsgTimeoutNow from {m.From} and starts an election to get leadership");
                }

                // A transfer skips pre-vote: the leader asked, nobody is recovering from a partition.
                // A committed conf change not yet applied blocks campaigning; the campaign then
                // starts once it is applied (the leader hands over right after such a change).
                if (Log.HasUnappliedConfChanges())
                {
                    _campaignAfterApply = true;
                }
                else
                {
                    Hup(CampaignType.Transfer);
                }

                break;
            case MessageType.MsgReadIndex:
                if (Lead == None)
                {
                    if (_logger.IsEnabled(RaftLogLevel.Info))
                    {
                        _logger.Log(RaftLogLevel.Info, $"{Id} no leader at term {Term}; dropping index reading msg");
                    }

                    return ProposalResult.NoLeader;
                }

                var forward = new Message { Type = MessageType.MsgReadIndex, To = Lead, From = m.From };
                forward.Entries.Add(m.Entries);
                Send(forward);
                break;
            case MessageType.MsgReadIndexResp:
                if (m.Entries.Count != 1)
                {
                    if (_logger.IsEnabled(RaftLogLevel.Error))
                    {
                        _logger.Log(RaftLogLevel.Error, $"{Id} invalid format of MsgReadIndexResp from {m.From}, entries count: {m.Entries.Count}");
                    }

                    break;
                }

                _readStates.Add(new ReadState(m.Index, m.Entries[0].Data));
                break;
        }

        return ProposalResult.Accepted;
    }

    /// <summary>Sends a proposal on to the leader, joining it to a forward already queued for this Ready.</summary>
    private ProposalResult ForwardProposal(Message m)
    {
        if (Lead == None)
        {
            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                _logger.Log(RaftLogLevel.Info, $"{Id} no leader at term {Term}; dropping proposal");
            }

            return ProposalResult.NoLeader;
        }

        if (_disableProposalForwarding)
        {
            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                _logger.Log(RaftLogLevel.Info, $"{Id} not forwarding to leader {Lead} at term {Term}; dropping proposal");
            }

            return ProposalResult.ForwardingDisabled;
        }

        if (_msgs.Count > 0)
        {
            var last = _msgs[^1];
            if (last.Type == MessageType.MsgProp && last.To == Lead && last.From == Id)
            {
                last.Entries.Add(m.Entries);
                return ProposalResult.Accepted;
            }
        }

        var forward = new Message { Type = MessageType.MsgProp, To = Lead, From = Id };
        forward.Entries.Add(m.Entries);
        Send(forward);
        return ProposalResult.Accepted;
    }

    private void HandleAppendEntries(Message m)
    {
        if (m.Index < Log.Committed)
        {
            // Everything up to our commit index is settled: tell the leader where it stands.
            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = Log.Committed });
            return;
        }

        if (Log.MaybeAppend(m.Index, m.LogTerm, m.Commit, m.Entries, out var lastNew))
        {
            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = lastNew });
            return;
        }

        // Our log does not hold (m.Index, m.LogTerm). Hint the leader at the largest (index,
        // term) where our logs could match: our entry at or below m.Index whose term is at most
        // m.LogTerm. This skips a whole divergent tail of higher terms in one round trip.
        var hintIndex = Math.Min(m.Index, Log.LastIndex());
        var (index, term) = Log.FindConflictByTerm(hintIndex, m.LogTerm);
        if (_logger.IsEnabled(RaftLogLevel.Debug))
        {
            _logger.Log(RaftLogLevel.Debug, $"{Id} [logterm: {Log.TermOrZero(m.Index)}, index: {m.Index}] rejected MsgApp [logterm: {m.LogTerm}, index: {m.Index}] from {m.From}");
        }

        Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = m.Index, Reject = true, RejectHint = index, LogTerm = term });
    }

    private void HandleHeartbeat(Message m)
    {
        // The leader sends min(our match, its commit), so this never passes our log's end.
        Log.CommitTo(m.Commit);
        Send(new Message { To = m.From, Type = MessageType.MsgHeartbeatResp, Context = m.Context, Index = m.Index });
    }

    private void HandleSnapshot(Message m)
    {
        var snapshot = m.Snapshot;
        if (RestoreSnapshot(snapshot))
        {
            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                _logger.Log(RaftLogLevel.Info, $"{Id} [commit: {Log.Committed}] restored snapshot [index: {snapshot.Metadata.Index}, term: {snapshot.Metadata.Term}]");
            }

            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = Log.LastIndex() });
        }
        else
        {
            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                _logger.Log(RaftLogLevel.Info, $"{Id} [commit: {Log.Committed}] ignored snapshot [index: {snapshot.Metadata.Index}, term: {snapshot.Metadata.Term}]");
            }

            Send(new Message { To = m.From, Type = MessageType.MsgAppResp, Index = Log.Committed });
        }
    }
}

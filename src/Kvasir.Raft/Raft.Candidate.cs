namespace Kvasir.Raft;

// A candidate or pre-candidate: counts votes, and yields to a leader of its term.
internal sealed partial class Raft
{
    private ProposalResult StepCandidate(Message m)
    {
        // Only the responses of this candidacy count: a candidate may still receive pre-vote
        // answers from the pre-candidacy that led to it.
        var myVoteResp = State == StateType.PreCandidate ? MessageType.MsgPreVoteResp : MessageType.MsgVoteResp;
        switch (m.Type)
        {
            case MessageType.MsgProp:
                if (_logger.IsEnabled(RaftLogLevel.Info))
                {
                    _logger.Log(RaftLogLevel.Info, $"{Id} no leader at term {Term}; dropping proposal");
                }

                return ProposalResult.NoLeader;
            case MessageType.MsgReadIndex:
                return ProposalResult.NoLeader;
            case MessageType.MsgApp:
                // A leader of our term exists (m.Term == Term here): follow it.
                BecomeFollower(m.Term, m.From);
                HandleAppendEntries(m);
                break;
            case MessageType.MsgHeartbeat:
                BecomeFollower(m.Term, m.From);
                HandleHeartbeat(m);
                break;
            case MessageType.MsgSnap:
                BecomeFollower(m.Term, m.From);
                HandleSnapshot(m);
                break;
            case MessageType.MsgTimeoutNow:
                if (_logger.IsEnabled(RaftLogLevel.Debug))
                {
                    _logger.Log(RaftLogLevel.Debug, $"{Id} [term {Term} state {State}] ignored MsgTimeoutNow from {m.From}");
                }

                break;
            default:
                if (m.Type == myVoteResp)
                {
                    PollAndDecide(m.From, m.Type, !m.Reject);
                }

                break;
        }

        return ProposalResult.Accepted;
    }
}

using Google.Protobuf;

namespace Kvasir.Raft;

// Step: what every role does with a message's term before the role's own handling, and votes.
internal sealed partial class Raft
{
    private static readonly ByteString TransferContext = ByteString.CopyFromUtf8("CampaignTransfer");

    /// <summary>
    /// Processes one message. Returns what became of a proposal or read request (MsgProp,
    /// MsgReadIndex); <see cref="ProposalResult.Accepted"/> for every other message, including
    /// stale ones that are ignored.
    /// </summary>
    public ProposalResult Step(Message m)
    {
        if (m.Type is MessageType.MsgVoteResp or MessageType.MsgPreVoteResp)
        {
            // A commit index is a fact whatever the term of the message that tells it.
            LearnCommitFromVote(m);
        }

        if (m.Term == 0)
        {
            // A local message, or a forwarded proposal or read request.
        }
        else if (m.Term > Term)
        {
            if (m.Type is MessageType.MsgVote or MessageType.MsgPreVote)
            {
                var force = m.Context.Equals(TransferContext);
                var inLease = _checkQuorum && (Lead != None || _restartLease) && _electionElapsed < _electionTimeout;
                if (!force && inLease)
                {
                    // Within the minimum election timeout of hearing from a leader, a node neither
                    // raises its term nor votes (§4.2.3): a partitioned node cannot depose it.
                    if (_logger.IsEnabled(RaftLogLevel.Info))
                    {
                        var (li, lt) = Log.LastEntryId();
                        _logger.Log(RaftLogLevel.Info, $"{Id} [logterm: {lt}, index: {li}, vote: {Vote}] ignored {m.Type} from {m.From} [logterm: {m.LogTerm}, index: {m.Index}] at term {Term}: lease is not expired (remaining ticks: {_electionTimeout - _electionElapsed})");
                    }

                    return ProposalResult.Accepted;
                }
            }

            if (m.Type == MessageType.MsgPreVote)
            {
                // A pre-vote never changes the term.
            }
            else if (m.Type == MessageType.MsgPreVoteResp && !m.Reject)
            {
                // A granted pre-vote carries the term we will campaign for; we raise it only when
                // a quorum grants. A rejection carries the rejecter's term: adopt it below.
            }
            else
            {
                if (_logger.IsEnabled(RaftLogLevel.Info))
                {
                    _logger.Log(RaftLogLevel.Info, $"{Id} [term: {Term}] received a {m.Type} message with higher term from {m.From} [term: {m.Term}]");
                }

                var leader = m.Type is MessageType.MsgApp or MessageType.MsgHeartbeat or MessageType.MsgSnap ? m.From : None;
                BecomeFollower(m.Term, leader);
            }
        }
        else if (m.Term < Term)
        {
            StepLowerTerm(m);
            return ProposalResult.Accepted;
        }

        switch (m.Type)
        {
            case MessageType.MsgHup:
                Hup(_preVote ? CampaignType.PreElection : CampaignType.Election);
                return ProposalResult.Accepted;
            case MessageType.MsgVote:
            case MessageType.MsgPreVote:
                HandleVoteRequest(m);
                return ProposalResult.Accepted;
            default:
                return State switch
                {
                    StateType.Leader => StepLeader(m),
                    StateType.Follower => StepFollower(m),
                    _ => StepCandidate(m),
                };
        }
    }

    private void StepLowerTerm(Message m)
    {
        if (m.Type is MessageType.MsgHeartbeat or MessageType.MsgApp)
        {
            // A leader of an older term is still talking to us: answer at our term so that it
            // steps down and the cluster moves to our term, as the paper's AppendEntries reply
            // does. Our higher term may come from a partition, and it does not always spread by
            // votes: they are ignored within a lease (check-quorum), never sent (pre-vote), or
            // sent only to the voters of a configuration we have not caught up with — and then
            // this node would ignore the leader forever and never catch up.
            Send(new Message { To = m.From, Type = MessageType.MsgAppResp });
        }
        else if (m.Type is MessageType.MsgPreVote or MessageType.MsgVote)
        {
            // Reject explicitly, at our term: silence could leave a candidate of a lower term
            // (perhaps with a longer log, the only one that can win) campaigning forever below
            // the term the others have reached, when its requests are all they would hear from it.
            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                _logger.Log(RaftLogLevel.Info, $"{Id} [term: {Term}] rejected {m.Type} from {m.From} at lower term {m.Term}");
            }

            var respType = m.Type == MessageType.MsgVote ? MessageType.MsgVoteResp : MessageType.MsgPreVoteResp;
            Send(WithCommit(new Message { To = m.From, Term = Term, Type = respType, Reject = true }));
        }
        else if (_logger.IsEnabled(RaftLogLevel.Debug))
        {
            _logger.Log(RaftLogLevel.Debug, $"{Id} [term: {Term}] ignored a {m.Type} message with lower term from {m.From} [term: {m.Term}]");
        }
    }

    private void HandleVoteRequest(Message m)
    {
        // We may vote when repeating a vote already cast, when we have not voted and know no
        // leader in this term, or for a pre-vote of a later term ...
        var canVote = Vote == m.From
            || (Vote == None && Lead == None)
            || (m.Type == MessageType.MsgPreVote && m.Term > Term);

        // ... and only for a candidate whose log is at least as up to date as ours (§5.4.1).
        // Learners vote too: a learner that was promoted may not know it yet, and the candidate
        // that knows may need its vote.
        var respType = m.Type == MessageType.MsgVote ? MessageType.MsgVoteResp : MessageType.MsgPreVoteResp;
        if (canVote && Log.IsUpToDate(m.Index, m.LogTerm))
        {
            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                var (li, lt) = Log.LastEntryId();
                _logger.Log(RaftLogLevel.Info, $"{Id} [logterm: {lt}, index: {li}, vote: {Vote}] cast {m.Type} for {m.From} [logterm: {m.LogTerm}, index: {m.Index}] at term {Term}");
            }

            // The response carries the request's term: a pre-vote's is ahead of ours, and the
            // pre-candidate ignores answers of any other term.
            Send(WithCommit(new Message { To = m.From, Term = m.Term, Type = respType }));
            if (m.Type == MessageType.MsgVote)
            {
                _electionElapsed = 0;
                Vote = m.From;
            }
        }
        else
        {
            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                var (li, lt) = Log.LastEntryId();
                _logger.Log(RaftLogLevel.Info, $"{Id} [logterm: {lt}, index: {li}, vote: {Vote}] rejected {m.Type} from {m.From} [logterm: {m.LogTerm}, index: {m.Index}] at term {Term}");
            }

            Send(WithCommit(new Message { To = m.From, Term = Term, Type = respType, Reject = true }));
        }
    }

    /// <summary>
    /// Adds our commit index, and the term of the entry there, to a vote response. A candidate
    /// whose log holds that entry learns it is committed (log matching: the same index and term
    /// mean the same prefix). This matters after a membership change: the new voters may hold the
    /// entry that ends a joint configuration without knowing it committed, and need the vote of a
    /// removed member to elect anyone while they think the configuration joint — a vote the
    /// removed member refuses when its log is longer. Learning the commit from its answer lets
    /// them apply the change and go on without it.
    /// </summary>
    private Message WithCommit(Message m)
    {
        m.Commit = Log.Committed;
        m.LogTerm = Log.TermOrZero(Log.Committed);
        return m;
    }

    /// <summary>Takes the commit index a vote response carries when our log holds that entry.</summary>
    private void LearnCommitFromVote(Message m)
    {
        if (m.Commit > Log.Committed && m.LogTerm != 0 && Log.MatchTerm(m.Commit, m.LogTerm))
        {
            Log.CommitTo(m.Commit);
        }
    }

    /// <summary>Starts an election now, with a pre-vote first when enabled (the host's Campaign).</summary>
    public void Campaign() => Hup(_preVote ? CampaignType.PreElection : CampaignType.Election);

    /// <summary>Starts an election if this node may: it is a voter, not leader, and has no conf change left to apply.</summary>
    public void Hup(CampaignType type)
    {
        if (State == StateType.Leader)
        {
            if (_logger.IsEnabled(RaftLogLevel.Debug))
            {
                _logger.Log(RaftLogLevel.Debug, $"{Id} ignoring MsgHup because already leader");
            }

            return;
        }

        if (!Promotable())
        {
            if (_logger.IsEnabled(RaftLogLevel.Warning))
            {
                _logger.Log(RaftLogLevel.Warning, $"{Id} is unpromotable and can not campaign");
            }

            return;
        }

        // A committed conf change not yet applied may change who votes; campaigning under the
        // old configuration could elect a leader the new one would not.
        if (Log.HasUnappliedConfChanges())
        {
            if (_logger.IsEnabled(RaftLogLevel.Warning))
            {
                _logger.Log(RaftLogLevel.Warning, $"{Id} cannot campaign at term {Term} since there are still pending configuration changes to apply");
            }

            return;
        }

        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            _logger.Log(RaftLogLevel.Info, $"{Id} is starting a new election at term {Term}");
        }

        Campaign(type);
    }

    private void Campaign(CampaignType type)
    {
        ulong term;
        MessageType voteType;
        if (type == CampaignType.PreElection)
        {
            BecomePreCandidate();
            voteType = MessageType.MsgPreVote;

            // Pre-votes ask about the term we would campaign in.
            term = Term + 1;
        }
        else
        {
            BecomeCandidate();
            voteType = MessageType.MsgVote;
            term = Term;
        }

        var (lastIndex, lastTerm) = Log.LastEntryId();
        foreach (var id in _trk.Config.Voters.Ids())
        {
            if (id == Id)
            {
                if (type == CampaignType.PreElection)
                {
                    // A pre-vote persists nothing: count ours now.
                    PollAndDecide(Id, MessageType.MsgPreVoteResp, granted: true);
                    if (State != StateType.PreCandidate)
                    {
                        // A single voter wins at once and has moved on to the real election.
                        return;
                    }
                }
                else
                {
                    // Our vote counts once it is durable (OnVotePersisted, after the host persisted
                    // the HardState that records it); counting it earlier could let a crash make us
                    // vote twice in the term.
                    PendingSelfVoteTerm = Term;
                }

                continue;
            }

            if (_logger.IsEnabled(RaftLogLevel.Info))
            {
                _logger.Log(RaftLogLevel.Info, $"{Id} [logterm: {lastTerm}, index: {lastIndex}] sent {voteType} request to {id} at term {Term}");
            }

            var m = new Message { To = id, Term = term, Type = voteType, Index = lastIndex, LogTerm = lastTerm };
            if (type == CampaignType.Transfer)
            {
                m.Context = TransferContext;
            }

            Send(m);
        }
    }

    /// <summary>The host persisted the HardState holding our vote for ourselves in <paramref name="term"/>: count it.</summary>
    public void OnVotePersisted(ulong term)
    {
        if (State == StateType.Candidate && Term == term && PendingSelfVoteTerm == term)
        {
            PendingSelfVoteTerm = 0;
            PollAndDecide(Id, MessageType.MsgVoteResp, granted: true);
        }
    }

    private void PollAndDecide(ulong from, MessageType type, bool granted)
    {
        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            _logger.Log(RaftLogLevel.Info, granted
                ? $"{Id} received {type} from {from} at term {Term}"
                : $"{Id} received {type} rejection from {from} at term {Term}");
        }

        _trk.RecordVote(from, granted);
        var result = _trk.TallyVotes(out var gr, out var rj);
        if (_logger.IsEnabled(RaftLogLevel.Info))
        {
            _logger.Log(RaftLogLevel.Info, $"{Id} has received {gr} {type} votes and {rj} vote rejections");
        }

        switch (result)
        {
            case Quorum.VoteResult.Won:
                if (_trk.Get(Id) is not { IsLearner: false })
                {
                    // Won under a configuration that no longer counts us as a voter.
                    BecomeFollower(Term, None);
                }
                else if (State == StateType.PreCandidate)
                {
                    Campaign(CampaignType.Election);
                }
                else
                {
                    BecomeLeader();
                    _appendsPending = true;
                }

                break;
            case Quorum.VoteResult.Lost:
                // A pre-vote response carries a future term; stay at ours.
                BecomeFollower(Term, None);
                break;
        }
    }
}

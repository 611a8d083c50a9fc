namespace Kvasir.Raft;

// ReadIndex on the leader: answer with the commit index once leadership is confirmed.
internal sealed partial class Raft
{
    /// <summary>Asks for a read index on this node; the answer comes out as a ReadState in a later Ready.</summary>
    public ProposalResult ReadIndexLocal(Google.Protobuf.ByteString context)
    {
        var m = new Message { Type = MessageType.MsgReadIndex, From = Id };
        m.Entries.Add(new Entry { Data = context });
        return Step(m);
    }

    private ProposalResult LeaderReadIndex(Message m)
    {
        // The only voter needs nobody's confirmation.
        if (_trk.IsSingleton && _trk.Config.Voters.Incoming.Contains(Id))
        {
            RespondToReadIndex(m, Log.Committed);
            return ProposalResult.Accepted;
        }

        // Bounded: a leader that cannot reach a quorum would otherwise hold every read forever.
        if (_pendingReadIndexMessages.Count + _readOnly.PendingCount >= _maxPendingReads)
        {
            if (_logger.IsEnabled(RaftLogLevel.Warning))
            {
                _logger.Log(RaftLogLevel.Warning, $"{Id} holds {_maxPendingReads} unconfirmed reads; dropping a read index request");
            }

            return ProposalResult.TooManyPendingReads;
        }

        // Until an entry of this term is committed, the leader's commit index may lag what the
        // previous leader committed: hold the request until then.
        if (!CommittedEntryInCurrentTerm())
        {
            _pendingReadIndexMessages.Add(m);
            return ProposalResult.Accepted;
        }

        SendReadIndexResponse(m);
        return ProposalResult.Accepted;
    }

    private void ReleasePendingReadIndexMessages()
    {
        if (_pendingReadIndexMessages.Count == 0)
        {
            return;
        }

        if (!CommittedEntryInCurrentTerm())
        {
            if (_logger.IsEnabled(RaftLogLevel.Error))
            {
                _logger.Log(RaftLogLevel.Error, "pending MsgReadIndex should be released only after first commit in current term");
            }

            return;
        }

        foreach (var m in _pendingReadIndexMessages)
        {
            SendReadIndexResponse(m);
        }

        _pendingReadIndexMessages.Clear();
    }

    private void SendReadIndexResponse(Message m)
    {
        switch (_readOnly.Option)
        {
            case ReadOnlyOption.Safe:
                _readOnly.AddRequest(Log.Committed, m);

                // The leader confirms itself; the heartbeat round for the rest goes out with the
                // next Ready, shared by every read queued until then.
                _readOnly.Ack(Id, _readOnly.LatestPosition);
                _heartbeatPending = true;
                break;
            case ReadOnlyOption.LeaseBased:
                if (LeaseHolds())
                {
                    RespondToReadIndex(m, Log.Committed);
                }
                else
                {
                    // No lease (not yet confirmed, expired, or given up for a transfer): confirm
                    // with a heartbeat round as the safe mode does.
                    _readOnly.AddRequest(Log.Committed, m);
                    _readOnly.Ack(Id, _readOnly.LatestPosition);
                    _heartbeatPending = true;
                }

                break;
        }
    }

    /// <summary>
    /// Whether no other leader can exist now: a quorum of voters answered heartbeats this leader
    /// sent at most ElectionTick - 2 ticks ago, and each of them refuses votes (except a transfer's)
    /// for an election timeout after receiving one. This assumes the nodes' ticks run at the same
    /// rate (a drift under one tick per election timeout); the two ticks spare the granularity.
    /// </summary>
    private bool LeaseHolds()
    {
        if (_leaseVoid || LeadTransferee != None)
        {
            return false;
        }

        var stamp = _trk.Config.Voters.CommittedIndex(_leaseIndexer);
        return stamp != 0 && stamp != ulong.MaxValue && (ulong)Ticks + 1 - stamp <= (ulong)_electionTimeout - 2;
    }

    /// <summary>Reads the lease stamps for the quorum computation; ours is now.</summary>
    private sealed class LeaseIndexer(Raft raft) : Quorum.IAckedIndexer
    {
        public bool TryGetAckedIndex(ulong id, out ulong index)
        {
            if (id == raft.Id)
            {
                index = (ulong)raft.Ticks + 1;
                return true;
            }

            if (raft._trk.Get(id) is { } pr)
            {
                index = pr.LeaseStamp;
                return true;
            }

            index = 0;
            return false;
        }
    }

    /// <summary>Answers a confirmed request: a ReadState when it was made here, else a MsgReadIndexResp to the follower that asked.</summary>
    private void RespondToReadIndex(Message request, ulong index)
    {
        if (request.From == None || request.From == Id)
        {
            _readStates.Add(new ReadState(index, request.Entries[0].Data));
            return;
        }

        var resp = new Message { Type = MessageType.MsgReadIndexResp, To = request.From, Index = index };
        resp.Entries.Add(request.Entries);
        Send(resp);
    }
}

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

    private void LeaderReadIndex(Message m)
    {
        // The only voter needs nobody's confirmation.
        if (_trk.IsSingleton && _trk.Config.Voters.Incoming.Contains(Id))
        {
            RespondToReadIndex(m, Log.Committed);
            return;
        }

        // Until an entry of this term is committed, the leader's commit index may lag what the
        // previous leader committed: hold the request until then.
        if (!CommittedEntryInCurrentTerm())
        {
            _pendingReadIndexMessages.Add(m);
            return;
        }

        SendReadIndexResponse(m);
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
                RespondToReadIndex(m, Log.Committed);
                break;
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

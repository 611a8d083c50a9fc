namespace Kvasir.Raft;

// Checking a message from the network before it reaches the state machine.
public sealed partial class RawNode
{
    /// <summary>
    /// Processes a message from a peer. A message that could not have come from a correct peer is
    /// refused with a result other than Ok and changes nothing (see <see cref="StepResult"/>).
    /// </summary>
    public StepResult Step(Message m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var check = Check(m);
        if (check != StepResult.Ok)
        {
            return check;
        }

        _raft.Step(m);
        return StepResult.Ok;
    }

    private StepResult Check(Message m)
    {
        if (!Enum.IsDefined(m.Type))
        {
            return StepResult.Malformed;
        }

        if (m.Type is MessageType.MsgHup or MessageType.MsgBeat or MessageType.MsgUnreachable or MessageType.MsgSnapStatus or MessageType.MsgCheckQuorum)
        {
            return StepResult.LocalMessageType;
        }

        if (m.To != _raft.Id)
        {
            return StepResult.WrongRecipient;
        }

        // A forwarded proposal or read can come back to the node that made it, once that node
        // leads; any other message from ourselves is not from the network.
        if (m.From == Raft.None || (m.From == _raft.Id && m.Type is not (MessageType.MsgProp or MessageType.MsgReadIndex)))
        {
            return StepResult.Malformed;
        }

        // Only forwarded proposals and reads travel without a term, and the pre-vote rejection
        // of a node that never had one.
        if (m.Term == 0 && m.Type is not (MessageType.MsgProp or MessageType.MsgReadIndex) && !(m.Type == MessageType.MsgPreVoteResp && m.Reject))
        {
            return StepResult.Malformed;
        }

        if (m.Type is MessageType.MsgAppResp or MessageType.MsgVoteResp or MessageType.MsgPreVoteResp or MessageType.MsgHeartbeatResp
            && _raft.Tracker.Get(m.From) is null)
        {
            return StepResult.UnknownPeer;
        }

        switch (m.Type)
        {
            case MessageType.MsgApp:
                return CheckAppend(m);
            case MessageType.MsgSnap:
                return m.Snapshot?.Metadata is null ? StepResult.Malformed : StepResult.Ok;
            case MessageType.MsgProp:
                return m.Entries.Count == 0 ? StepResult.Malformed : StepResult.Ok;
            case MessageType.MsgReadIndex:
            case MessageType.MsgReadIndexResp:
                return m.Entries.Count != 1 ? StepResult.Malformed : StepResult.Ok;
            default:
                return StepResult.Ok;
        }
    }

    // Entries follow the previous one by index, and their terms never decrease nor pass the
    // leader's term: what log matching relies on.
    private static StepResult CheckAppend(Message m)
    {
        var prevTerm = m.LogTerm;
        if (prevTerm > m.Term)
        {
            return StepResult.Malformed;
        }

        for (var i = 0; i < m.Entries.Count; i++)
        {
            var e = m.Entries[i];
            if (e.Index != m.Index + 1 + (ulong)i || e.Term < prevTerm || e.Term > m.Term)
            {
                return StepResult.Malformed;
            }

            prevTerm = e.Term;
        }

        return StepResult.Ok;
    }
}

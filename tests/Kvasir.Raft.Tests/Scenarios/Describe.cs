using System.Text;

namespace Kvasir.Raft.Tests.Scenarios;

/// <summary>The one-line text forms of entries, messages and Readies used by scenario files.</summary>
internal static class Describe
{
    public static string Entry(Entry e)
    {
        var sb = new StringBuilder();
        sb.Append(e.Term).Append('/').Append(e.Index);
        switch (e.Type)
        {
            case EntryType.EntryConfChange:
                var cc = ConfChange.Parser.ParseFrom(e.Data);
                sb.Append(" conf:").Append(Change(cc.Type)).Append(cc.NodeId);
                break;
            case EntryType.EntryConfChangeV2:
                sb.Append(" confv2:").Append(ConfV2(ConfChangeV2.Parser.ParseFrom(e.Data)));
                break;
            default:
                sb.Append(e.Data.IsEmpty ? " empty" : $" \"{e.Data.ToStringUtf8()}\"");
                break;
        }

        return sb.ToString();
    }

    public static string ConfV2(ConfChangeV2 cc)
    {
        if (cc.Changes.Count == 0)
        {
            return cc.Transition == ConfChangeTransition.Auto ? "leave-joint" : $"{cc.Transition}()";
        }

        var parts = new List<string>();
        foreach (var c in cc.Changes)
        {
            parts.Add(Change(c.Type) + c.NodeId);
        }

        return $"{cc.Transition}({string.Join(' ', parts)})";
    }

    public static string Change(ConfChangeType t) => t switch
    {
        ConfChangeType.ConfChangeAddNode => "v",
        ConfChangeType.ConfChangeAddLearnerNode => "l",
        ConfChangeType.ConfChangeRemoveNode => "r",
        _ => "u",
    };

    public static string Message(Message m)
    {
        var sb = new StringBuilder();
        sb.Append(m.From).Append("->").Append(m.To).Append(' ').Append(m.Type).Append(" term=").Append(m.Term);
        switch (m.Type)
        {
            case MessageType.MsgApp:
                sb.Append(" log=").Append(m.LogTerm).Append('/').Append(m.Index).Append(" commit=").Append(m.Commit);
                break;
            case MessageType.MsgAppResp:
                sb.Append(" index=").Append(m.Index);
                if (m.Reject)
                {
                    sb.Append(" reject hint=").Append(m.LogTerm).Append('/').Append(m.RejectHint);
                }

                break;
            case MessageType.MsgVote:
            case MessageType.MsgPreVote:
                sb.Append(" log=").Append(m.LogTerm).Append('/').Append(m.Index);
                if (!m.Context.IsEmpty)
                {
                    sb.Append(" transfer");
                }

                break;
            case MessageType.MsgVoteResp:
            case MessageType.MsgPreVoteResp:
                if (m.Reject)
                {
                    sb.Append(" reject");
                }

                sb.Append(" commit=").Append(m.LogTerm).Append('/').Append(m.Commit);
                break;
            case MessageType.MsgHeartbeat:
                sb.Append(" commit=").Append(m.Commit);
                break;
            case MessageType.MsgSnap:
                sb.Append(" snap=").Append(m.Snapshot.Metadata.Term).Append('/').Append(m.Snapshot.Metadata.Index);
                break;
            case MessageType.MsgReadIndexResp:
                sb.Append(" index=").Append(m.Index);
                break;
        }

        if (m.Type is MessageType.MsgHeartbeat or MessageType.MsgHeartbeatResp && m.Context.Length == 8)
        {
            sb.Append(" read#").Append(BitConverter.ToUInt64(m.Context.Span));
        }

        if (m.Entries.Count > 0)
        {
            sb.Append(" entries=[");
            for (var i = 0; i < m.Entries.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                sb.Append(m.Type is MessageType.MsgReadIndex or MessageType.MsgReadIndexResp ? $"\"{m.Entries[i].Data.ToStringUtf8()}\"" : Entry(m.Entries[i]));
            }

            sb.Append(']');
        }

        return sb.ToString();
    }

    public static string Config(ConfState cs)
    {
        var sb = new StringBuilder("voters=(").Append(string.Join(' ', cs.Voters)).Append(')');
        if (cs.VotersOutgoing.Count > 0)
        {
            sb.Append("&&(").Append(string.Join(' ', cs.VotersOutgoing)).Append(')');
        }

        if (cs.Learners.Count > 0)
        {
            sb.Append(" learners=(").Append(string.Join(' ', cs.Learners)).Append(')');
        }

        if (cs.LearnersNext.Count > 0)
        {
            sb.Append(" learners_next=(").Append(string.Join(' ', cs.LearnersNext)).Append(')');
        }

        if (cs.AutoLeave)
        {
            sb.Append(" autoleave");
        }

        return sb.ToString();
    }
}

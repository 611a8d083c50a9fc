using Google.Protobuf;

namespace Kvasir.Raft.Tests.Harness;

/// <summary>Small builders shared by the unit tests.</summary>
internal static class Fixtures
{
    public static Entry E(ulong index, ulong term, string? data = null) =>
        new() { Index = index, Term = term, Data = data is null ? ByteString.Empty : ByteString.CopyFromUtf8(data) };

    /// <summary>Entries 1..n with the given terms (terms[i] is the term of index i + 1).</summary>
    public static Entry[] Log(params ulong[] terms)
    {
        var es = new Entry[terms.Length];
        for (var i = 0; i < terms.Length; i++)
        {
            es[i] = E((ulong)i + 1, terms[i]);
        }

        return es;
    }

    public static ConfState Voters(params ulong[] ids)
    {
        var cs = new ConfState();
        cs.Voters.AddRange(ids);
        return cs;
    }

    /// <summary>A storage holding <paramref name="entries"/> under the given voters, with a HardState at the last entry's term.</summary>
    public static MemoryRaftLog Storage(ulong[] voters, Entry[] entries, ulong commit = 0, ulong? term = null, ulong vote = 0)
    {
        var s = new MemoryRaftLog(Voters(voters));
        s.Append(entries);
        var t = term ?? (entries.Length > 0 ? entries[^1].Term : 0);
        if (t != 0 || commit != 0 || vote != 0)
        {
            s.SetHardState(new HardState { Term = t, Commit = commit, Vote = vote });
        }

        return s;
    }

    public static TestRaft Node(ulong id, ulong[] voters, Entry[]? log = null, ulong commit = 0, ulong? term = null, int election = 10, int heartbeat = 1, Action<RaftConfig>? configure = null)
    {
        var storage = Storage(voters, log ?? [], commit, term);
        return TestRaft.Create(id, storage, election, heartbeat, configure);
    }

    public static Message Msg(MessageType type, ulong from, ulong to, ulong term = 0, ulong index = 0, ulong logTerm = 0, ulong commit = 0, bool reject = false, ulong rejectHint = 0, params Entry[] entries)
    {
        var m = new Message { Type = type, From = from, To = to, Term = term, Index = index, LogTerm = logTerm, Commit = commit, Reject = reject, RejectHint = rejectHint };
        m.Entries.AddRange(entries);
        return m;
    }

    /// <summary>
    /// Makes <paramref name="r"/> leader: campaigns, persists its vote, and grants it the other
    /// voters' votes. With <paramref name="ackNoop"/> every follower then acknowledges the new
    /// leader's empty entry, which commits it and moves them to Replicate.
    /// </summary>
    public static void MakeLeader(TestRaft r, bool ackNoop = true)
    {
        r.Node.Campaign();
        r.ReadMessages();
        foreach (var id in r.R.Tracker.Config.Voters.Ids())
        {
            if (id != r.Id && r.R.State == StateType.Candidate)
            {
                r.Step(Msg(MessageType.MsgVoteResp, id, r.Id, term: r.R.Term));
            }
        }

        r.ReadMessages();
        if (r.R.State != StateType.Leader)
        {
            throw new InvalidOperationException($"{r.Id} did not become leader: {r.R.State}");
        }

        if (!ackNoop)
        {
            return;
        }

        var last = r.R.Log.LastIndex();
        foreach (var id in r.R.Tracker.Ids)
        {
            if (id != r.Id)
            {
                r.Step(Msg(MessageType.MsgAppResp, id, r.Id, term: r.R.Term, index: last));
            }
        }

        r.ReadMessages();
    }

    /// <summary>The messages of the given type among <paramref name="msgs"/>.</summary>
    public static List<Message> OfType(this List<Message> msgs, MessageType type) => msgs.FindAll(m => m.Type == type);
}

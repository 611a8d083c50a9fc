namespace Kvasir.Raft;

// The first configuration of a new cluster.
internal sealed partial class Raft
{
    /// <summary>
    /// Appends and commits one ConfChangeAddNode per peer at term 1 and applies them, so the
    /// configuration is in force at once and the entries reach the WAL with the first Ready. The
    /// caller has checked the peers and that the log is empty.
    /// </summary>
    public void Bootstrap(IReadOnlyList<Peer> peers)
    {
        BecomeFollower(1, None);
        var entries = new List<Entry>(peers.Count);
        for (var i = 0; i < peers.Count; i++)
        {
            var cc = new ConfChange { Type = ConfChangeType.ConfChangeAddNode, NodeId = peers[i].Id, Context = peers[i].Context };
            entries.Add(new Entry { Type = EntryType.EntryConfChange, Term = 1, Index = (ulong)i + 1, Data = Google.Protobuf.MessageExtensions.ToByteString(cc) });
        }

        Log.Append(entries);
        Log.Committed = (ulong)entries.Count;
        foreach (var p in peers)
        {
            ApplyConfChange(new ConfChange { Type = ConfChangeType.ConfChangeAddNode, NodeId = p.Id }.AsV2());
        }
    }
}

namespace Kvasir.Raft;

// etcd's ConfChange (one node at a time) seen as the general ConfChangeV2.
public sealed partial class ConfChange
{
    /// <summary>The same change as a ConfChangeV2 with one change and the same context.</summary>
    public ConfChangeV2 AsV2()
    {
        var v2 = new ConfChangeV2 { Context = Context };
        v2.Changes.Add(new ConfChangeSingle { Type = Type, NodeId = NodeId });
        return v2;
    }
}

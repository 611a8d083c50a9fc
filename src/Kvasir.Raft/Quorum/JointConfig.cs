namespace Kvasir.Raft.Quorum;

/// <summary>
/// Two voter sets that must both agree: the incoming one, and the outgoing one while a joint
/// consensus change is under way (empty otherwise). Immutable.
/// </summary>
internal sealed class JointConfig
{
    /// <summary>No voters at all.</summary>
    public static readonly JointConfig Empty = new(MajorityConfig.Empty, MajorityConfig.Empty);

    public JointConfig(MajorityConfig incoming, MajorityConfig outgoing)
    {
        Incoming = incoming;
        Outgoing = outgoing;
    }

    /// <summary>The configuration being moved to (the only one when not joint).</summary>
    public MajorityConfig Incoming { get; }

    /// <summary>The configuration being left; empty when not joint.</summary>
    public MajorityConfig Outgoing { get; }

    /// <summary>Whether a joint change is under way.</summary>
    public bool IsJoint => Outgoing.Count > 0;

    /// <summary>Whether <paramref name="id"/> votes in either half.</summary>
    public bool Contains(ulong id) => Incoming.Contains(id) || Outgoing.Contains(id);

    /// <summary>Every voter of either half, ascending, without duplicates.</summary>
    public ulong[] Ids()
    {
        if (Outgoing.Count == 0)
        {
            return Incoming.ToArray();
        }

        var all = new List<ulong>(Incoming.Count + Outgoing.Count);
        all.AddRange(Incoming.ToArray());
        foreach (var id in Outgoing.Ids)
        {
            if (!Incoming.Contains(id))
            {
                all.Add(id);
            }
        }

        all.Sort();
        return all.ToArray();
    }

    /// <summary>The highest index both halves have committed.</summary>
    public ulong CommittedIndex(IAckedIndexer acked) => Math.Min(Incoming.CommittedIndex(acked), Outgoing.CommittedIndex(acked));

    /// <summary>Won when both halves won, Lost when either lost, else Pending.</summary>
    public VoteResult VoteResult(Dictionary<ulong, bool> votes)
    {
        var a = Incoming.VoteResult(votes);
        var b = Outgoing.VoteResult(votes);
        if (a == b)
        {
            return a;
        }

        if (a == Quorum.VoteResult.Lost || b == Quorum.VoteResult.Lost)
        {
            return Quorum.VoteResult.Lost;
        }

        return Quorum.VoteResult.Pending;
    }

    /// <summary>"(1 2 3)" or "(1 2 3)&amp;&amp;(1 2)" when joint.</summary>
    public override string ToString() => Outgoing.Count == 0 ? Incoming.ToString() : $"{Incoming}&&{Outgoing}";
}

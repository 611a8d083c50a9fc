namespace Kvasir.Raft;

/// <summary>The role a node plays in its current term.</summary>
public enum StateType
{
    /// <summary>Follows the leader of the term, or waits for one.</summary>
    Follower = 0,

    /// <summary>Asks for votes in the term it has just started.</summary>
    Candidate = 1,

    /// <summary>Replicates its log to the others; the only node that appends new entries.</summary>
    Leader = 2,

    /// <summary>Asks whether it could win an election, without changing its term (pre-vote).</summary>
    PreCandidate = 3,
}

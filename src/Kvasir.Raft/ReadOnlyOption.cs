namespace Kvasir.Raft;

/// <summary>How a leader confirms it still leads before answering a ReadIndex.</summary>
public enum ReadOnlyOption
{
    /// <summary>
    /// A round of heartbeats acknowledged by a quorum confirms the leadership. Linearizable
    /// whatever the clocks do; costs one round trip per batch of reads.
    /// </summary>
    Safe = 0,

    /// <summary>
    /// The leader answers at once, relying on its lease: with check-quorum, no other node can win
    /// an election before the leader would step down. Assumes bounded clock drift between nodes;
    /// requires <see cref="RaftConfig.CheckQuorum"/>.
    /// </summary>
    LeaseBased = 1,
}

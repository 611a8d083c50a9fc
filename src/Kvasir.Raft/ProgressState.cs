namespace Kvasir.Raft;

/// <summary>How the leader replicates to one follower.</summary>
public enum ProgressState
{
    /// <summary>
    /// The leader does not know where the follower's log ends: it sends one append per heartbeat
    /// interval and waits for the answer before sending the next.
    /// </summary>
    Probe = 0,

    /// <summary>The follower keeps up: the leader streams appends, at most MaxInflightMsgs unacknowledged.</summary>
    Replicate = 1,

    /// <summary>The entries the follower needs are compacted: the leader sent a snapshot and waits for it to land.</summary>
    Snapshot = 2,
}

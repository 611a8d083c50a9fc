namespace Kvasir.Raft;

/// <summary>What the transport reports about a snapshot it was asked to send (<see cref="RawNode.ReportSnapshot"/>).</summary>
public enum SnapshotStatus
{
    /// <summary>The follower received the snapshot; the leader probes it from the snapshot's index.</summary>
    Finish = 0,

    /// <summary>Sending failed; the leader probes again and may send a new snapshot later.</summary>
    Failure = 1,
}

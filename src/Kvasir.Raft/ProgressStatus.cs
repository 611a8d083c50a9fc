namespace Kvasir.Raft;

/// <summary>The leader's view of one member's replication, as <see cref="RaftStatus.Progress"/> reports it.</summary>
/// <param name="Match">The highest index known durable on the member.</param>
/// <param name="Next">The next index the leader will send.</param>
/// <param name="State">Probe, Replicate or Snapshot.</param>
/// <param name="IsLearner">Whether the member is a learner (does not vote).</param>
/// <param name="RecentActive">Heard from since the last check-quorum round.</param>
/// <param name="TicksSinceLastResponse">Ticks since the member last answered an append or heartbeat (0 for the leader itself).</param>
/// <param name="PendingSnapshot">The index of a snapshot being sent, or 0.</param>
/// <param name="Inflight">Append messages sent and not acknowledged.</param>
/// <param name="Paused">Whether the leader holds back appends to it.</param>
public readonly record struct ProgressStatus(
    ulong Match,
    ulong Next,
    ProgressState State,
    bool IsLearner,
    bool RecentActive,
    long TicksSinceLastResponse,
    ulong PendingSnapshot,
    int Inflight,
    bool Paused);

namespace Kvasir.Raft;

/// <summary>
/// What became of a proposal (Propose, ProposeConfChange) or a ReadIndex request. Anything but
/// <see cref="Accepted"/> means the request was dropped and changed nothing: the host fails it fast
/// (etcd answers such requests with "etcdserver: ... leader" errors) or retries it.
/// </summary>
public enum ProposalResult
{
    /// <summary>
    /// Appended to the leader's log, or forwarded to the leader. Acceptance is not commitment: a
    /// forwarded proposal can still be lost, so the host waits for it with a deadline.
    /// </summary>
    Accepted = 0,

    /// <summary>This node knows of no leader (an election is under way, or it is partitioned).</summary>
    NoLeader = 1,

    /// <summary>This node is the leader and is handing leadership to another node.</summary>
    LeaderTransferInProgress = 2,

    /// <summary>The leader's uncommitted tail is over <see cref="RaftConfig.MaxUncommittedEntriesSize"/>.</summary>
    UncommittedSizeLimit = 3,

    /// <summary>This node is a follower and <see cref="RaftConfig.DisableProposalForwarding"/> is set.</summary>
    ForwardingDisabled = 4,

    /// <summary>This node leads but is no longer a member of the configuration it leads.</summary>
    NotInConfiguration = 5,

    /// <summary>
    /// The leader refused a configuration change: another one is still pending, it would apply to a
    /// joint configuration that must be left first, or it is invalid (for example, it removes every
    /// voter). The node's log warns with the reason.
    /// </summary>
    ConfChangeRefused = 6,

    /// <summary>
    /// ReadIndex only: the leader already holds <see cref="RaftConfig.MaxPendingReadIndex"/> reads
    /// waiting for confirmation (it cannot reach a quorum, or the host asks faster than a heartbeat
    /// round trip).
    /// </summary>
    TooManyPendingReads = 7,
}

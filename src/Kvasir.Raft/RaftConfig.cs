namespace Kvasir.Raft;

/// <summary>
/// The parameters of one Raft node. <see cref="Validate"/> (called by <see cref="RawNode"/>'s
/// constructor) refuses a bad combination with an <see cref="ArgumentException"/> naming the field.
/// Times are in ticks: the host calls <see cref="RawNode.Tick"/> at a fixed interval (the member
/// ticks every 100 ms, so heartbeat 1 and election 10 are etcd's 100 ms and 1 s).
/// </summary>
public sealed class RaftConfig
{
    /// <summary>No limit, for the byte-size limits.</summary>
    public const ulong NoLimit = ulong.MaxValue;

    /// <summary>This node's id; never 0, which means "nobody".</summary>
    public ulong Id { get; set; }

    /// <summary>
    /// Ticks without word from a leader after which a follower starts an election. Each node draws
    /// its timeout anew from [ElectionTick, 2 × ElectionTick) so that elections rarely collide. Must
    /// be greater than <see cref="HeartbeatTick"/>; ten times is the usual ratio.
    /// </summary>
    public int ElectionTick { get; set; } = 10;

    /// <summary>Ticks between a leader's heartbeats.</summary>
    public int HeartbeatTick { get; set; } = 1;

    /// <summary>The log as persisted so far; Raft reads it and never writes it.</summary>
    public IRaftLog? Storage { get; set; }

    /// <summary>
    /// The index the host's state machine has applied, when restarting. Raft hands out committed
    /// entries after it only. 0 means "from the start of the log".
    /// </summary>
    public ulong Applied { get; set; }

    /// <summary>
    /// The most entry bytes in one append message; at least one entry is always sent. 0 sends one
    /// entry per message, <see cref="NoLimit"/> sends everything. Small values make probing and
    /// lost messages cheap; large ones raise throughput.
    /// </summary>
    public ulong MaxSizePerMsg { get; set; } = 1024 * 1024;

    /// <summary>The most bytes of committed entries in one Ready (at least one entry). 0 means <see cref="MaxSizePerMsg"/>.</summary>
    public ulong MaxCommittedSizePerReady { get; set; }

    /// <summary>
    /// The most payload bytes the leader keeps uncommitted; proposals beyond it are dropped with
    /// <see cref="ProposalResult.UncommittedSizeLimit"/>. 0 means no limit. An empty log tail always
    /// takes one proposal, however large, so a big proposal is never refused forever.
    /// </summary>
    public ulong MaxUncommittedEntriesSize { get; set; }

    /// <summary>The most unacknowledged append messages to one follower while replicating; must be positive.</summary>
    public int MaxInflightMsgs { get; set; } = 256;

    /// <summary>The most unacknowledged entry bytes to one follower; 0 means no limit, else at least <see cref="MaxSizePerMsg"/>.</summary>
    public ulong MaxInflightBytes { get; set; }

    /// <summary>
    /// The most ReadIndex requests a leader holds unconfirmed; more are refused with
    /// <see cref="ProposalResult.TooManyPendingReads"/> (or dropped, when forwarded). Must be positive.
    /// </summary>
    public int MaxPendingReadIndex { get; set; } = 64 * 1024;

    /// <summary>
    /// A leader that has not heard from a quorum within an election timeout steps down; a follower
    /// that hears from its leader ignores vote requests for that long. Required by lease-based reads.
    /// </summary>
    public bool CheckQuorum { get; set; } = true;

    /// <summary>
    /// Before starting an election a node asks whether it could win (thesis 9.6), so a node coming
    /// back from a partition does not force the leader to step down by raising the term.
    /// </summary>
    public bool PreVote { get; set; } = true;

    /// <summary>How ReadIndex confirms leadership.</summary>
    public ReadOnlyOption ReadOnlyOption { get; set; } = ReadOnlyOption.Safe;

    /// <summary>A follower drops proposals instead of forwarding them to the leader.</summary>
    public bool DisableProposalForwarding { get; set; }

    /// <summary>Where warnings and role changes go; defaults to nowhere.</summary>
    public IRaftLogger Logger { get; set; } = NullRaftLogger.Instance;

    /// <summary>
    /// The source of election-timeout jitter. Injected so a seeded Random replays a run exactly; the
    /// node is its only user, so it needs no locking. Required.
    /// </summary>
    public Random? Random { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first field that is out of range.</summary>
    public void Validate()
    {
        if (Id == 0)
        {
            throw new ArgumentException("Id must not be 0: 0 means 'no node'", nameof(Id));
        }

        if (HeartbeatTick <= 0)
        {
            throw new ArgumentException($"HeartbeatTick must be greater than 0 (is {HeartbeatTick})", nameof(HeartbeatTick));
        }

        if (ElectionTick <= HeartbeatTick)
        {
            throw new ArgumentException($"ElectionTick ({ElectionTick}) must be greater than HeartbeatTick ({HeartbeatTick})", nameof(ElectionTick));
        }

        if (Storage is null)
        {
            throw new ArgumentException("Storage must be set", nameof(Storage));
        }

        if (MaxInflightMsgs <= 0)
        {
            throw new ArgumentException($"MaxInflightMsgs must be greater than 0 (is {MaxInflightMsgs})", nameof(MaxInflightMsgs));
        }

        if (MaxPendingReadIndex <= 0)
        {
            throw new ArgumentException($"MaxPendingReadIndex must be greater than 0 (is {MaxPendingReadIndex})", nameof(MaxPendingReadIndex));
        }

        if (MaxInflightBytes != 0 && MaxInflightBytes < MaxSizePerMsg)
        {
            throw new ArgumentException($"MaxInflightBytes ({MaxInflightBytes}) must be 0 or at least MaxSizePerMsg ({MaxSizePerMsg})", nameof(MaxInflightBytes));
        }

        if (ReadOnlyOption == ReadOnlyOption.LeaseBased && !CheckQuorum)
        {
            throw new ArgumentException("ReadOnlyOption.LeaseBased requires CheckQuorum: the lease is only sound when a leader that loses its quorum steps down", nameof(ReadOnlyOption));
        }

        if (!Enum.IsDefined(ReadOnlyOption))
        {
            throw new ArgumentException($"ReadOnlyOption {(int)ReadOnlyOption} is not defined", nameof(ReadOnlyOption));
        }

        if (Logger is null)
        {
            throw new ArgumentException("Logger must not be null; use NullRaftLogger.Instance for none", nameof(Logger));
        }

        if (Random is null)
        {
            throw new ArgumentException("Random must be set: the election-timeout jitter is injected so runs can be replayed", nameof(Random));
        }
    }

    /// <summary>MaxCommittedSizePerReady with its default applied.</summary>
    internal ulong EffectiveMaxCommittedSizePerReady => MaxCommittedSizePerReady == 0 ? MaxSizePerMsg : MaxCommittedSizePerReady;

    /// <summary>MaxUncommittedEntriesSize with "0 is no limit" applied.</summary>
    internal ulong EffectiveMaxUncommittedEntriesSize => MaxUncommittedEntriesSize == 0 ? NoLimit : MaxUncommittedEntriesSize;

    /// <summary>MaxInflightBytes with "0 is no limit" applied.</summary>
    internal ulong EffectiveMaxInflightBytes => MaxInflightBytes == 0 ? NoLimit : MaxInflightBytes;
}

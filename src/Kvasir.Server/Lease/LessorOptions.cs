using Kvasir.Server.Config;

namespace Kvasir.Server.Lease;

/// <summary>
/// How a <see cref="Lessor"/> behaves. The defaults are etcd's (lease/lessor.go), except that
/// checkpoints are on and persisted by default in Kvasir. <see cref="From"/> takes them from a member's
/// configuration; tests shorten the intervals.
/// </summary>
public sealed record LessorOptions
{
    /// <summary>etcd's interval between checkpoints of a lease's remaining TTL.</summary>
    public static readonly TimeSpan DefaultCheckpointInterval = TimeSpan.FromMinutes(5);

    /// <summary>The shortest TTL granted, in seconds: ceil(1.5 × election timeout); shorter requests are raised to it.</summary>
    public long MinLeaseTtlSeconds { get; init; } = 2;

    /// <summary>How much every lease is extended when this member becomes leader: one election timeout, as etcd.</summary>
    public TimeSpan PromotionExtension { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether the leader checkpoints remaining TTLs through Raft (etcd's --experimental-enable-lease-checkpoint).</summary>
    public bool CheckpointEnabled { get; init; } = true;

    /// <summary>Whether applied checkpoints are written to the backend, so a restart keeps them (etcd 3.6's LeaseCheckpointPersist).</summary>
    public bool CheckpointPersist { get; init; } = true;

    /// <summary>How long after a grant, promotion or checkpoint the next checkpoint of a lease is due.</summary>
    public TimeSpan CheckpointInterval { get; init; } = DefaultCheckpointInterval;

    /// <summary>At most this many expired leases are revoked per second (etcd's leaseRevokeRate).</summary>
    public int RevokeRate { get; init; } = 1000;

    /// <summary>At most this many checkpoint entries are proposed per second (etcd's leaseCheckpointRate).</summary>
    public int CheckpointRate { get; init; } = 1000;

    /// <summary>At most this many leases are checkpointed in one Raft entry (etcd's maxLeaseCheckpointBatchSize).</summary>
    public int MaxCheckpointBatch { get; init; } = 1000;

    /// <summary>How often the leader's loop looks for expired leases and due checkpoints.</summary>
    public TimeSpan LoopInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>An expired lease whose revoke has not applied is proposed again after this long (etcd's expiredLeaseRetryInterval).</summary>
    public TimeSpan ExpiredLeaseRetryInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Revoke proposals in flight at once (etcd's maxPendingRevokes).</summary>
    public int MaxPendingRevokes { get; init; } = 16;

    /// <summary>Where server-chosen lease ids come from; seed it in tests. Used under the lessor's lock only.</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>The meter etcd's lessor metrics are created on; none without one.</summary>
    public System.Diagnostics.Metrics.Meter? Meter { get; init; }

    /// <summary>The options a member's configuration asks for.</summary>
    public static LessorOptions From(MemberConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new LessorOptions
        {
            MinLeaseTtlSeconds = config.MinLeaseTtlSeconds,
            PromotionExtension = TimeSpan.FromMilliseconds(config.ElectionMs),
            CheckpointEnabled = config.EnableLeaseCheckpoint,
            CheckpointPersist = config.EnableLeaseCheckpointPersist,
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (MinLeaseTtlSeconds < 1 || MinLeaseTtlSeconds > Lessor.MaxLeaseTtl)
        {
            throw new ArgumentException($"the minimum lease TTL must be between 1 and {Lessor.MaxLeaseTtl} seconds, not {MinLeaseTtlSeconds}");
        }

        if (PromotionExtension < TimeSpan.Zero)
        {
            throw new ArgumentException($"the promotion extension must not be negative, not {PromotionExtension}");
        }

        if (CheckpointInterval <= TimeSpan.Zero || LoopInterval <= TimeSpan.Zero || ExpiredLeaseRetryInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("the checkpoint, loop and retry intervals must be positive");
        }

        if (RevokeRate < 1 || CheckpointRate < 1 || MaxCheckpointBatch < 1 || MaxPendingRevokes < 1)
        {
            throw new ArgumentException("the revoke rate, checkpoint rate, checkpoint batch and pending revokes must be at least 1");
        }

        ArgumentNullException.ThrowIfNull(Random);
    }

    /// <summary>Expired leases revoked per loop round: the rate times the loop interval, at least one.</summary>
    internal int RevokesPerRound => (int)Math.Max(1, Math.Min(int.MaxValue, RevokeRate * LoopInterval.TotalSeconds));

    /// <summary>Checkpoint entries proposed per loop round: the rate times the loop interval, at least one.</summary>
    internal int CheckpointEntriesPerRound => (int)Math.Max(1, Math.Min(int.MaxValue, CheckpointRate * LoopInterval.TotalSeconds));
}

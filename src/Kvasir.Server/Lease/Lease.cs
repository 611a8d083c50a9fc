using Google.Protobuf;

namespace Kvasir.Server.Lease;

/// <summary>
/// One lease as the lessor holds it (etcd's <c>lease.Lease</c>). Owned by <see cref="Lessor"/>: every
/// field is read and written under the lessor's lock, except <see cref="Revoked"/>, which anyone may await.
/// </summary>
internal sealed class Lease
{
    /// <summary>The expiry of a lease that nobody expires: every lease on a member that is not the leader.</summary>
    public const long Forever = long.MaxValue;

    public Lease(long id, long ttl, long remainingTtl)
    {
        Id = id;
        Ttl = ttl;
        RemainingTtl = remainingTtl;
    }

    public long Id { get; }

    /// <summary>The granted TTL in seconds, already raised to the minimum.</summary>
    public long Ttl { get; }

    /// <summary>The remaining TTL in seconds at the last checkpoint; 0 means none, the full TTL applies.</summary>
    public long RemainingTtl { get; set; }

    /// <summary>When the lease expires, in the lessor's clock ticks; <see cref="Forever"/> when this member does not expire leases.</summary>
    public long Expiry { get; set; } = Forever;

    /// <summary>The attached keys. Kept equal to the lessor's key → lease map.</summary>
    public HashSet<ByteString> Keys { get; } = [];

    /// <summary>Where the lease sits in the expiry queue (-1 when not queued) and when it is due there.</summary>
    public LeaseHeapSlot ExpirySlot = new();

    /// <summary>Where the lease sits in the checkpoint queue (-1 when not queued) and when it is due there.</summary>
    public LeaseHeapSlot CheckpointSlot = new();

    /// <summary>Completes when the lease is revoked on this member: a renewal waiting on an expired lease learns it is gone.</summary>
    public TaskCompletionSource Revoked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The TTL a refresh counts from: the last checkpoint's remaining TTL when there is one (etcd's getRemainingTTL).</summary>
    public long EffectiveRemainingTtl => RemainingTtl > 0 ? RemainingTtl : Ttl;

    /// <summary>Time left at <paramref name="now"/> (ticks), <see cref="long.MaxValue"/> for a lease that never expires here.</summary>
    public long Remaining(long now) => Expiry == Forever ? long.MaxValue : Expiry - now;

    /// <summary>Sets the expiry to <paramref name="now"/> + <paramref name="extend"/> + the effective remaining TTL (etcd's refresh).</summary>
    public void Refresh(long now, long extend) => Expiry = now + extend + (EffectiveRemainingTtl * TimeSpan.TicksPerSecond);
}

using Google.Protobuf;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Member;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Server.Lease;

/// <summary>The applier's side: grants, revokes, checkpoints and key attachment, in log order, on the applier thread.</summary>
public sealed partial class Lessor
{
    /// <summary>
    /// Grants a lease (etcd's lessor.Grant). The TTL is raised to the minimum; above <see cref="MaxLeaseTtl"/>
    /// it gives <c>too large lease TTL</c>; a live id gives <c>lease already exists</c>. The lease service
    /// picks server-chosen ids before proposing, as etcd does; an entry that still carries id 0 gets one
    /// derived from the replicated state (the same on every member). On the leader the lease expires TTL
    /// seconds from now; elsewhere never, until promotion. The record is written in <paramref name="txn"/>.
    /// </summary>
    public AppliedResult ApplyGrant(LeaseGrantRequest request, MvccWriteTxn txn)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(txn);
        if (request.TTL > MaxLeaseTtl)
        {
            return AppliedResult.Failed(EtcdErrors.LeaseTtlTooLarge);
        }

        Lease lease;
        lock (_gate)
        {
            var id = request.ID != 0 ? request.ID : ReplicatedLeaseId(txn.BeginRevision);
            if (_leases.ContainsKey(id))
            {
                return AppliedResult.Failed(EtcdErrors.LeaseExist);
            }

            lease = new Lease(id, Math.Max(request.TTL, _options.MinLeaseTtlSeconds), remainingTtl: 0);
            _leases.Add(id, lease);
            if (_demoted is not null)
            {
                var now = Now();
                lease.Refresh(now, 0);
                _expiry.Set(lease, lease.Expiry);
                ScheduleCheckpoint(lease, now);
            }
        }

        Persist(txn, lease);
        _metrics?.Granted(lease.Ttl);
        return AppliedResult.Of(new LeaseGrantResponse { Header = _member.Header(txn.Revision), ID = lease.Id, TTL = lease.Ttl });
    }

    /// <summary>
    /// Revokes a lease (etcd's lessor.Revoke): deletes its keys in key order in <paramref name="txn"/> — one
    /// revision for all of them — and its record; unknown id gives <c>requested lease not found</c> and
    /// changes nothing. Renewals waiting on the lease learn it is gone.
    /// </summary>
    public AppliedResult ApplyRevoke(LeaseRevokeRequest request, MvccWriteTxn txn)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(txn);
        ByteString[] keys;
        Lease? lease;
        lock (_gate)
        {
            if (!_leases.TryGetValue(request.ID, out lease))
            {
                return AppliedResult.Failed(EtcdErrors.LeaseNotFound);
            }

            keys = [.. lease.Keys];
        }

        // Every member deletes in the same order, so their backends (and hashes) stay equal.
        Array.Sort(keys, KeyOrder.Instance);
        foreach (var key in keys)
        {
            txn.DeleteRange(new KeyRange(key, ByteString.Empty));
        }

        Unpersist(txn, lease.Id);
        lock (_gate)
        {
            _leases.Remove(lease.Id);
            _expiry.Remove(lease);
            _checkpoints.Remove(lease);
            lease.Keys.Clear();
        }

        // Before the applier ends the transaction: a renewal waiting on this lease answers TTL 0 (on another
        // thread) possibly just before the deletions are visible to readers, which no client can tell apart.
        lease.Revoked.TrySetResult();
        _metrics?.Revoked();
        return AppliedResult.Of(new LeaseRevokeResponse { Header = _member.Header(txn.Revision) });
    }

    /// <summary>
    /// Records remaining TTLs the leader checkpointed (etcd's lessor.Checkpoint): unknown ids are skipped.
    /// The value takes effect at the next promotion; it is persisted when <see cref="LessorOptions.CheckpointPersist"/>.
    /// </summary>
    public AppliedResult ApplyCheckpoint(LeaseCheckpointRequest request, MvccWriteTxn txn)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(txn);
        foreach (var checkpoint in request.Checkpoints)
        {
            Lease? lease;
            lock (_gate)
            {
                if (!_leases.TryGetValue(checkpoint.ID, out lease))
                {
                    continue;
                }

                lease.RemainingTtl = checkpoint.RemainingTTL;
                if (_demoted is not null)
                {
                    ScheduleCheckpoint(lease, Now());
                }
            }

            if (_options.CheckpointPersist)
            {
                Persist(txn, lease);
            }
        }

        return AppliedResult.Of(new LeaseCheckpointResponse { Header = _member.Header(txn.Revision) });
    }

    /// <summary>
    /// Moves keys between leases after a KV write (etcd's Attach and Detach). A key leaving a lease that
    /// no longer exists (revoked in the same entry) is ignored; a key joining an unknown lease is logged and
    /// ignored (the store refuses such a Put when given this lessor as its lookup).
    /// </summary>
    public void ApplyLeaseChanges(IReadOnlyList<LeaseChange> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return;
        }

        var unknown = 0L;
        lock (_gate)
        {
            for (var i = 0; i < changes.Count; i++)
            {
                var change = changes[i];
                if (change.OldLease != 0 && _leases.TryGetValue(change.OldLease, out var old))
                {
                    old.Keys.Remove(change.Key);
                }

                if (change.NewLease != 0)
                {
                    if (_leases.TryGetValue(change.NewLease, out var joined))
                    {
                        joined.Keys.Add(change.Key);
                    }
                    else
                    {
                        unknown = change.NewLease;
                    }
                }
            }
        }

        if (unknown != 0)
        {
            LessorLog.AttachUnknown(_logger, unknown);
        }
    }

    /// <summary>
    /// An id for a grant that reached the log without one: a mix of the revision, the number of leases and
    /// a probe count, positive and free. It depends only on replicated state, so every member picks the same.
    /// Caller holds the lock.
    /// </summary>
    private long ReplicatedLeaseId(long revision)
    {
        for (ulong probe = 0; ; probe++)
        {
            var mixed = SplitMix((ulong)revision ^ ((ulong)_leases.Count << 32) ^ (probe * 0x9E3779B97F4A7C15UL));
            var id = (long)(mixed & long.MaxValue);
            if (id != 0 && !_leases.ContainsKey(id))
            {
                return id;
            }
        }
    }

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>Byte-wise key order, the order etcd's revoke deletes in.</summary>
    private sealed class KeyOrder : IComparer<ByteString>
    {
        public static readonly KeyOrder Instance = new();

        public int Compare(ByteString? x, ByteString? y) => x!.Span.SequenceCompareTo(y!.Span);
    }
}

using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Server.Lease;

/// <summary>What clients ask of the leader's lessor: renewals, remaining TTLs, the list of leases, new ids.</summary>
public sealed partial class Lessor
{
    /// <summary>
    /// Renews lease <paramref name="id"/> on the leader (etcd's lessor.Renew): it then expires its full TTL
    /// from now. A lease that has expired but whose revoke has not applied yet cannot be renewed: the call
    /// waits until the revoke applies (NotFound) or this member is demoted (NotLeader), as etcd does. When a
    /// checkpoint has recorded a remaining TTL, a checkpoint of 0 is proposed first so that a later leader
    /// counts from the full TTL again. Completes synchronously in the common case.
    /// </summary>
    public ValueTask<LeaseRenewal> RenewAsync(long id, CancellationToken cancellationToken)
    {
        Lease? lease;
        TaskCompletionSource demoted;
        bool clearCheckpoint;
        lock (_gate)
        {
            if (_demoted is null)
            {
                return new ValueTask<LeaseRenewal>(LeaseRenewal.NotLeader);
            }

            if (!_leases.TryGetValue(id, out lease))
            {
                return new ValueTask<LeaseRenewal>(LeaseRenewal.NotFound);
            }

            demoted = _demoted;
            clearCheckpoint = _options.CheckpointEnabled && _proposer is not null && lease.RemainingTtl > 0;
            if (!clearCheckpoint && lease.Expiry > Now())
            {
                return new ValueTask<LeaseRenewal>(RefreshLocked(id));
            }
        }

        return RenewSlowAsync(lease, demoted, clearCheckpoint, cancellationToken);
    }

    /// <summary>
    /// The remaining TTL of lease <paramref name="id"/> (seconds, truncated, as etcd reports it), its granted
    /// TTL, and its keys in key order when <paramref name="withKeys"/>; null when there is no such lease.
    /// Meaningful on the leader (elsewhere leases do not count down). No header.
    /// </summary>
    public LeaseTimeToLiveResponse? TimeToLive(long id, bool withKeys)
    {
        ByteString[]? keys = null;
        var response = new LeaseTimeToLiveResponse { ID = id };
        lock (_gate)
        {
            if (!_leases.TryGetValue(id, out var lease))
            {
                return null;
            }

            var remaining = lease.Remaining(Now());
            // A lease that never expires here reports what etcd's does: the seconds of Go's longest duration.
            response.TTL = remaining == long.MaxValue ? 9_223_372_036 : remaining / TimeSpan.TicksPerSecond;
            response.GrantedTTL = lease.Ttl;
            if (withKeys)
            {
                keys = [.. lease.Keys];
            }
        }

        if (keys is not null)
        {
            Array.Sort(keys, KeyOrder.Instance);
            response.Keys.AddRange(keys);
        }

        return response;
    }

    /// <summary>Every lease id, soonest expiry first (then by id), as etcd's Leases lists them.</summary>
    public IReadOnlyList<long> Leases()
    {
        (long Expiry, long Id)[] all;
        lock (_gate)
        {
            all = new (long, long)[_leases.Count];
            var i = 0;
            foreach (var lease in _leases.Values)
            {
                all[i++] = (lease.Expiry, lease.Id);
            }
        }

        Array.Sort(all);
        var ids = new long[all.Length];
        for (var i = 0; i < all.Length; i++)
        {
            ids[i] = all[i].Id;
        }

        return ids;
    }

    /// <summary>
    /// A server-chosen id for a grant about to be proposed: random, positive, non-zero and not the id of a
    /// live lease (etcd's are positive and non-zero too). Two grants in flight could draw the same id only
    /// with odds of 2^-63; the second would then fail with <c>lease already exists</c>.
    /// </summary>
    public long NewLeaseId()
    {
        lock (_gate)
        {
            while (true)
            {
                var id = _options.Random.NextInt64(1, long.MaxValue);
                if (!_leases.ContainsKey(id))
                {
                    return id;
                }
            }
        }
    }

    private async ValueTask<LeaseRenewal> RenewSlowAsync(Lease lease, TaskCompletionSource demoted, bool clearCheckpoint, CancellationToken cancellationToken)
    {
        bool expired;
        lock (_gate)
        {
            expired = lease.Expiry <= Now();
        }

        if (expired)
        {
            // An expired lease is being revoked through Raft (or will be on the next round): wait for the
            // outcome rather than bring it back to life.
            var first = await Task.WhenAny(lease.Revoked.Task, demoted.Task, _stopped.Task, Task.Delay(Timeout.Infinite, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return first == lease.Revoked.Task ? LeaseRenewal.NotFound : LeaseRenewal.NotLeader;
        }

        if (clearCheckpoint && _proposer is { } proposer)
        {
            var checkpoint = new LeaseCheckpointRequest { Checkpoints = { new LeaseCheckpoint { ID = lease.Id, RemainingTTL = 0 } } };
            await proposer.ProposeAsync(new InternalRaftRequest { LeaseCheckpoint = checkpoint }, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            // The lease may have been revoked, or this member demoted, while the checkpoint went through Raft.
            if (_demoted is null)
            {
                return LeaseRenewal.NotLeader;
            }

            return RefreshLocked(lease.Id);
        }
    }

    /// <summary>Restarts lease <paramref name="id"/>'s full TTL from now. Caller holds the lock and is the primary.</summary>
    private LeaseRenewal RefreshLocked(long id)
    {
        if (!_leases.TryGetValue(id, out var lease))
        {
            return LeaseRenewal.NotFound;
        }

        // The full TTL, even when a checkpoint's remaining TTL is still recorded (etcd would count from that
        // one when checkpoints are off; a renewed lease lasting less than its TTL is a surprise to nobody's benefit).
        lease.Expiry = Now() + (lease.Ttl * TimeSpan.TicksPerSecond);
        _expiry.Set(lease, lease.Expiry);
        _metrics?.Renewed();
        return new LeaseRenewal(LeaseRenewalStatus.Renewed, lease.Ttl);
    }
}

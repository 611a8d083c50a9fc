using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Member;

namespace Kvasir.Server.Lease;

/// <summary>
/// The leader's loop (etcd's runLoop): every <see cref="LessorOptions.LoopInterval"/> it proposes LeaseRevoke
/// for expired leases (at most <see cref="LessorOptions.RevokeRate"/> a second, at most
/// <see cref="LessorOptions.MaxPendingRevokes"/> in flight) and LeaseCheckpoint for due checkpoints. It
/// decides nothing by itself: a lease is gone only when its revoke has applied, on every member alike.
/// </summary>
public sealed partial class Lessor
{
    private Task _revoking = Task.CompletedTask;

    /// <summary>
    /// Starts the loop; <paramref name="proposer"/> carries its proposals, and renewals' checkpoint resets,
    /// through Raft. Call once, before the member can become leader (checkpoints are scheduled only once the
    /// lessor can propose them). The loop runs until <see cref="Dispose"/>; it acts only while this member is primary.
    /// </summary>
    public void Start(IProposer proposer) => Start(proposer, runLoop: true);

    /// <summary>Starts with or without the background loop; without it, tests drive <see cref="RunRoundAsync"/> themselves.</summary>
    internal void Start(IProposer proposer, bool runLoop)
    {
        ArgumentNullException.ThrowIfNull(proposer);
        lock (_gate)
        {
            if (_proposer is not null)
            {
                throw new InvalidOperationException("the lessor is started already");
            }

            _proposer = proposer;
            if (_demoted is not null)
            {
                var now = Now();
                foreach (var lease in _leases.Values)
                {
                    ScheduleCheckpoint(lease, now);
                }
            }
        }

        if (runLoop)
        {
            _loop = Task.Run(() => RunAsync(_stop.Token));
        }
    }

    /// <summary>One round of the loop, waiting for the revokes it proposed: what tests drive with a fake clock.</summary>
    internal async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        StartRevokes(cancellationToken);
        await CheckpointRoundAsync(cancellationToken).ConfigureAwait(false);
        await _revoking.ConfigureAwait(false);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                StartRevokes(cancellationToken);
                await CheckpointRoundAsync(cancellationToken).ConfigureAwait(false);
                await Task.Delay(_options.LoopInterval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            LessorLog.LoopFailed(_logger, e);
            throw;
        }
    }

    /// <summary>
    /// Finds expired leases (up to the round's share of the revoke rate) and proposes their revokes in the
    /// background, unless the previous round's revokes are still in flight. An expired lease is queued again
    /// <see cref="LessorOptions.ExpiredLeaseRetryInterval"/> later, so a revoke lost with a leader change is
    /// proposed again.
    /// </summary>
    private void StartRevokes(CancellationToken cancellationToken)
    {
        if (!_revoking.IsCompleted)
        {
            return;
        }

        var expired = FindExpired(_options.RevokesPerRound);
        if (expired is not null)
        {
            _revoking = RevokeAsync(expired, cancellationToken);
        }
    }

    private long[]? FindExpired(int limit)
    {
        List<long>? found = null;
        lock (_gate)
        {
            if (_demoted is null || _proposer is null)
            {
                return null;
            }

            var now = Now();
            var retry = now + _options.ExpiredLeaseRetryInterval.Ticks;
            while (_expiry.Count > 0 && (found?.Count ?? 0) < limit)
            {
                var lease = _expiry.Peek();
                if (_expiry.DueOf(lease) > now)
                {
                    break;
                }

                _expiry.Set(lease, retry);
                if (lease.Expiry <= now)
                {
                    (found ??= []).Add(lease.Id);
                }
            }
        }

        return found?.ToArray();
    }

    private async Task RevokeAsync(long[] ids, CancellationToken cancellationToken)
    {
        var proposer = _proposer!;
        var next = -1;
        var workers = new Task[Math.Min(_options.MaxPendingRevokes, ids.Length)];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Worker();
        }

        await Task.WhenAll(workers).ConfigureAwait(false);

        async Task Worker()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < ids.Length && !cancellationToken.IsCancellationRequested)
            {
                await ProposeAsync(proposer, new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = ids[i] } }, ids[i], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Proposes due checkpoints, a batch per entry, up to the round's share of the checkpoint rate.</summary>
    private async Task CheckpointRoundAsync(CancellationToken cancellationToken)
    {
        for (var round = 0; round < _options.CheckpointEntriesPerRound; round++)
        {
            var due = FindDueCheckpoints(_options.MaxCheckpointBatch);
            if (due is null)
            {
                return;
            }

            var request = new InternalRaftRequest { LeaseCheckpoint = due };
            if (!await ProposeAsync(_proposer!, request, 0, cancellationToken).ConfigureAwait(false) || due.Checkpoints.Count < _options.MaxCheckpointBatch)
            {
                return;
            }
        }
    }

    /// <summary>
    /// etcd's findDueScheduledCheckpoints: leases whose checkpoint is due, with their remaining TTL rounded
    /// up to whole seconds; an expired lease, or one with its full TTL left (just renewed), is skipped.
    /// </summary>
    private LeaseCheckpointRequest? FindDueCheckpoints(int limit)
    {
        LeaseCheckpointRequest? request = null;
        lock (_gate)
        {
            if (_demoted is null || _proposer is null || !_options.CheckpointEnabled)
            {
                return null;
            }

            var now = Now();
            while (_checkpoints.Count > 0 && (request?.Checkpoints.Count ?? 0) < limit)
            {
                var lease = _checkpoints.Peek();
                if (_checkpoints.DueOf(lease) > now)
                {
                    break;
                }

                _checkpoints.Remove(lease);
                if (lease.Expiry <= now)
                {
                    continue;
                }

                var remaining = (lease.Expiry - now + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
                if (remaining >= lease.Ttl)
                {
                    continue;
                }

                (request ??= new LeaseCheckpointRequest()).Checkpoints.Add(new LeaseCheckpoint { ID = lease.Id, RemainingTTL = remaining });
            }
        }

        return request;
    }

    /// <summary>Proposes one of the loop's requests; failures are logged, never thrown (the next round tries again).</summary>
    private async Task<bool> ProposeAsync(IProposer proposer, InternalRaftRequest request, long leaseId, CancellationToken cancellationToken)
    {
        try
        {
            var result = await proposer.ProposeAsync(request, cancellationToken).ConfigureAwait(false);
            if (result.Error is { } error && error != EtcdErrors.LeaseNotFound)
            {
                LessorLog.ProposalRefused(_logger, leaseId, error.Message);
                return false;
            }

            if (result.Error is null && request.LeaseRevoke is not null)
            {
                // etcd's lease_expired_total: an expired lease whose revoke this member got applied.
                _metrics?.Expired();
            }

            return true;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LessorLog.ProposalFailed(_logger, leaseId, e);
            return false;
        }
    }
}

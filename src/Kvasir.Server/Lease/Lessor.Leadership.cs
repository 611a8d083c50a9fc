namespace Kvasir.Server.Lease;

/// <summary>Promotion and demotion: only the leader's lessor (the primary) expires, renews and checkpoints leases.</summary>
public sealed partial class Lessor
{
    /// <summary>
    /// Leadership changed. On promotion every lease is refreshed to expire its remaining TTL (the last
    /// checkpoint's, else the full TTL) plus one election timeout from now, spread out when more leases
    /// would expire at once than the revoke rate allows (etcd's Promote); checkpoints are scheduled. On
    /// demotion every lease stops expiring and waiting renewals are told this member is not the leader.
    /// Any thread. The member calls it with true once it has applied the entries of earlier terms (etcd
    /// promotes on applying the new term's first, empty entry), with false as soon as it stops leading.
    /// </summary>
    public void OnLeadershipChanged(bool isLeader)
    {
        if (isLeader)
        {
            Promote(_options.PromotionExtension);
        }
        else
        {
            Demote();
        }
    }

    internal void Promote(TimeSpan extension)
    {
        var extend = extension.Ticks;
        var count = 0;
        lock (_gate)
        {
            if (_demoted is not null)
            {
                return;
            }

            _demoted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var now = Now();
            foreach (var lease in _leases.Values)
            {
                lease.Refresh(now, extend);
                _expiry.Set(lease, lease.Expiry);
                ScheduleCheckpoint(lease, now);
            }

            count = _leases.Count;
            if (count >= _options.RevokeRate)
            {
                SpreadExpiries(now, extend);
            }
        }

        LessorLog.Promoted(_logger, count);
    }

    internal void Demote()
    {
        TaskCompletionSource? demoted;
        lock (_gate)
        {
            demoted = _demoted;
            _demoted = null;
            foreach (var lease in _leases.Values)
            {
                lease.Expiry = Lease.Forever;
            }

            _expiry.Clear();
            _checkpoints.Clear();
        }

        if (demoted is not null)
        {
            demoted.TrySetResult();
            LessorLog.Demoted(_logger);
        }
    }

    /// <summary>
    /// etcd's pile-up rule: walking leases by expiry, no window of one second holds more than three
    /// quarters of the revoke rate; the excess is pushed later in proportion to how far over it is, so
    /// leases recovered together do not all expire in the same instant. Caller holds the lock.
    /// </summary>
    private void SpreadExpiries(long now, long extend)
    {
        var leases = new Lease[_leases.Count];
        _leases.Values.CopyTo(leases, 0);
        Array.Sort(leases, static (a, b) => a.Expiry != b.Expiry ? a.Expiry.CompareTo(b.Expiry) : a.Id.CompareTo(b.Id));

        var second = TimeSpan.TicksPerSecond;
        var baseWindow = leases[0].Remaining(now);
        var nextWindow = baseWindow + second;
        var expires = 0;
        var target = 3 * _options.RevokeRate / 4;
        foreach (var lease in leases)
        {
            var remaining = lease.Remaining(now);
            if (remaining > nextWindow)
            {
                baseWindow = remaining;
                nextWindow = baseWindow + second;
                expires = 1;
                continue;
            }

            expires++;
            if (expires <= target)
            {
                continue;
            }

            // A lease already n seconds past the window's base is pushed n seconds less.
            var delay = (long)(second * ((double)expires / target)) - (remaining - baseWindow);
            nextWindow = baseWindow + delay;
            lease.Refresh(now, delay + extend);
            _expiry.Set(lease, lease.Expiry);
            ScheduleCheckpoint(lease, now);
        }
    }

    /// <summary>
    /// Queues the lease's next checkpoint one interval from now when checkpoints are on and its TTL is
    /// longer than the interval (a shorter lease expires or is renewed before a checkpoint would help).
    /// A lease already queued keeps its earlier slot. Caller holds the lock.
    /// </summary>
    private void ScheduleCheckpoint(Lease lease, long now)
    {
        if (!_options.CheckpointEnabled || _proposer is null)
        {
            return;
        }

        // etcd compares whole seconds: the TTL against the interval truncated to seconds.
        if (lease.EffectiveRemainingTtl > (long)_options.CheckpointInterval.TotalSeconds)
        {
            _checkpoints.AddIfAbsent(lease, now + _options.CheckpointInterval.Ticks);
        }
    }
}

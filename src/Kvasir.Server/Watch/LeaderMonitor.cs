using Kvasir.Server.Member;

namespace Kvasir.Server.Watch;

/// <summary>
/// etcd's leader monitor for streams opened with <c>hasleader=true</c>: every election timeout it
/// looks for a leader; after <see cref="MaxNoLeaderChecks"/> looks in a row without one, it ends
/// every such stream (they answer <c>etcdserver: no leader</c>) so that their clients move to a
/// member that has one. New streams are refused at once while there is no leader.
/// </summary>
internal sealed class LeaderMonitor : IDisposable
{
    /// <summary>etcd's maxNoLeaderCnt.</summary>
    public const int MaxNoLeaderChecks = 3;

    private readonly IMemberState _member;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private readonly HashSet<Guard> _streams = [];
    private int _noLeaderChecks;

    public LeaderMonitor(IMemberState member, TimeProvider time, TimeSpan electionTimeout)
    {
        _member = member;
        _timer = time.CreateTimer(static s => ((LeaderMonitor)s!).Check(), this, electionTimeout, electionTimeout);
    }

    /// <summary>Ends <paramref name="call"/> (cancelling it) if the leader stays lost; dispose the guard when the stream ends.</summary>
    public Guard Track(CancellationTokenSource call)
    {
        var guard = new Guard(this, call);
        lock (_lock)
        {
            _streams.Add(guard);
        }

        return guard;
    }

    public void Dispose() => _timer.Dispose();

    private void Check()
    {
        _noLeaderChecks = _member.LeaderId == 0 ? _noLeaderChecks + 1 : 0;
        if (_noLeaderChecks < MaxNoLeaderChecks)
        {
            return;
        }

        List<Guard> lost;
        lock (_lock)
        {
            lost = [.. _streams];
            _streams.Clear();
        }

        foreach (var guard in lost)
        {
            guard.LoseLeader();
        }
    }

    private void Untrack(Guard guard)
    {
        lock (_lock)
        {
            _streams.Remove(guard);
        }
    }

    /// <summary>One tracked stream.</summary>
    internal sealed class Guard(LeaderMonitor monitor, CancellationTokenSource call) : IDisposable
    {
        private volatile bool _lostLeader;

        /// <summary>True once the monitor ended the stream for want of a leader.</summary>
        public bool LostLeader => _lostLeader;

        public void Dispose() => monitor.Untrack(this);

        internal void LoseLeader()
        {
            _lostLeader = true;
            try
            {
                call.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The stream ended meanwhile.
            }
        }
    }
}

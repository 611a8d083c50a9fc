using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Member;

/// <summary>
/// Auto-compaction as etcd's v3compactor does it, on the leader only.
/// <para><b>periodic</b> (retention = a period P): every P/10 (at most every 6 minutes) it records
/// the store revision, keeping the last P's worth; once P has passed since the last compaction
/// (the first time) or min(P, 1 h) (afterwards), it compacts at the oldest revision recorded, so
/// history of about the last P is kept.</para>
/// <para><b>revision</b> (retention = N revisions): every 5 minutes it compacts at the current
/// revision minus N, unless that is not positive or the same as last time.</para>
/// A compaction that finds the revision already compacted counts as done; any other failure is
/// retried at the next interval.
/// </summary>
internal sealed partial class AutoCompactor : IAsyncDisposable
{
    /// <summary>etcd's revInterval.</summary>
    public static readonly TimeSpan RevisionInterval = TimeSpan.FromMinutes(5);

    private readonly MemberServer _member;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly TimeSpan _period;
    private readonly long _revisions;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public AutoCompactor(MemberServer member, TimeSpan period, long revisions, TimeProvider time, ILogger log)
    {
        _member = member;
        _period = period;
        _revisions = revisions;
        _time = time;
        _log = log;
    }

    public void Start() => _loop = _revisions > 0 ? RevisionLoopAsync(_stop.Token) : PeriodicLoopAsync(_stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task PeriodicLoopAsync(CancellationToken ct)
    {
        var compactInterval = _period > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : _period;
        var retryInterval = compactInterval / 10;
        var retentions = (int)(_period / retryInterval) + 1;
        var revs = new Queue<long>();
        var lastSuccess = _time.GetTimestamp();
        var baseInterval = _period;
        while (!ct.IsCancellationRequested)
        {
            revs.Enqueue(_member.Store.CurrentRevision);
            if (revs.Count > retentions)
            {
                revs.Dequeue();
            }

            await Task.Delay(retryInterval, _time, ct).ConfigureAwait(false);
            if (!_member.IsLeader || _time.GetElapsedTime(lastSuccess) < baseInterval)
            {
                continue;
            }

            baseInterval = compactInterval;
            var rev = revs.Peek();
            if (await CompactAsync(rev, ct).ConfigureAwait(false))
            {
                lastSuccess = _time.GetTimestamp();
            }
        }
    }

    private async Task RevisionLoopAsync(CancellationToken ct)
    {
        long previous = 0;
        while (!ct.IsCancellationRequested)
        {
            await Task.Delay(RevisionInterval, _time, ct).ConfigureAwait(false);
            var rev = _member.Store.CurrentRevision - _revisions;
            if (!_member.IsLeader || rev <= 0 || rev == previous)
            {
                continue;
            }

            if (await CompactAsync(rev, ct).ConfigureAwait(false))
            {
                previous = rev;
            }
        }
    }

    /// <summary>Compacts at <paramref name="rev"/> through Raft; true when done (or already done).</summary>
    private async Task<bool> CompactAsync(long rev, CancellationToken ct)
    {
        LogStarting(_log, rev);
        try
        {
            var result = await _member.ProposeAsync(new InternalRaftRequest { Compaction = new CompactionRequest { Revision = rev } }, ct).ConfigureAwait(false);
            if (result.Error is { } error && error != EtcdErrors.Compacted)
            {
                LogFailed(_log, rev, error.Message);
                return false;
            }

            LogDone(_log, rev);
            return true;
        }
        catch (RpcException e)
        {
            LogFailed(_log, rev, e.Message);
            return false;
        }
    }

    [LoggerMessage(40, LogLevel.Information, "starting auto compaction at revision {Revision}")]
    private static partial void LogStarting(ILogger log, long revision);

    [LoggerMessage(41, LogLevel.Information, "completed auto compaction at revision {Revision}")]
    private static partial void LogDone(ILogger log, long revision);

    [LoggerMessage(42, LogLevel.Warning, "failed auto compaction at revision {Revision}: {Error}")]
    private static partial void LogFailed(ILogger log, long revision, string error);
}

using Kvasir.Api.Errors;

namespace Kvasir.Server.Member;

// Graceful stop and the fatal path.
public sealed partial class MemberServer
{
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _fatal;

    /// <summary>
    /// Stops the member gracefully: no new proposals; the Raft loop finishes the Ready in hand (its
    /// fsync and the committed entries it carries); the applier applies everything queued; waiters
    /// still left fail with <c>server stopped</c>; the WAL writes and syncs what it holds and closes;
    /// the backend commits and closes. Call it after the server stopped taking requests. Idempotent.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var phase = Interlocked.Exchange(ref _phase, 2);
        if (phase >= 2)
        {
            await _stopped.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            if (_compactor is not null)
            {
                await _compactor.DisposeAsync().ConfigureAwait(false);
            }

            if (_ticker is not null)
            {
                await _ticker.DisposeAsync().ConfigureAwait(false);
            }

            if (phase == 1)
            {
                _raft.Stop();
                await _raft.Exited.ConfigureAwait(false);
                await _applier.StopAsync().ConfigureAwait(false);
                await _snapshotTask.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            var stopped = EtcdErrors.Stopped.ToRpcException();
            _waits.FailAll(stopped);
            _reads.FailAll(stopped);
            _applied.FailAll(stopped);
            await _storage.Wal.DisposeAsync().ConfigureAwait(false);
            _storage.WalDevice.Dispose();
            _storage.Store.Dispose();
            LogStopped(MemberIds.Hex(MemberId), AppliedIndex);
        }
        finally
        {
            Volatile.Write(ref _phase, 3);
            _stopped.TrySetResult();
        }
    }

    /// <summary>
    /// A failure the member cannot go on after (the WAL or the backend failed, an invariant broke):
    /// it takes no more requests and <see cref="Failed"/> completes; the host stops the process with
    /// a non-zero exit. Nothing is retried: a restart replays the WAL.
    /// </summary>
    private void Fatal(Exception error)
    {
        _fatal = true;
        if (_failed.TrySetResult(error))
        {
            LogFatal(error.Message, error);

            // Nobody waits for an answer that will not come: requests in flight fail now, not at their deadline.
            var stopped = EtcdErrors.Stopped.ToRpcException();
            _waits.FailAll(stopped);
            _reads.FailAll(stopped);
            _applied.FailAll(stopped);
        }
    }
}

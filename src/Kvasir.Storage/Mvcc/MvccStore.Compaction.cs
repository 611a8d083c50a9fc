using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Storage.Backend;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// Compaction. Compact (on the applier) only checks the revision, records it as scheduled in the same
/// commit as the consistent index, and publishes it, so reads below it fail at once. A background thread
/// then compacts the key index (a chunk of keys per lock) and deletes the dropped rows from the backend in
/// batches of <see cref="MvccOptions.CompactionBatchLimit"/>, each in its own commit and with a pause
/// between batches, so the applier waits at most one batch. The last batch records the revision as
/// finished. Scheduled compactions coalesce: compacting at the newest revision covers the older ones.
/// A compaction that a close interrupts resumes when the store opens again.
/// </summary>
public sealed partial class MvccStore
{
    private readonly Thread _compactor;
    private readonly Lock _compactLock = new();
    private readonly SemaphoreSlim _compactSignal = new(0, int.MaxValue);
    private readonly SemaphoreSlim _indexCompactionGate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private long _compactPendingRev;
    private TaskCompletionSource? _compactPending;
    private TaskCompletionSource? _compactRunning;

    /// <summary>
    /// Applies etcd's Compact for the entry at <paramref name="raftIndex"/>. Errors: required revision has
    /// been compacted (at or below the compacted revision), future revision (above the current one).
    /// <see cref="ApplyResult{TResponse}.Physical"/> completes when the backend has dropped the rows.
    /// </summary>
    public ApplyResult<CompactionResponse> Compact(CompactionRequest request, long raftIndex)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var tx = BeginWrite(raftIndex);
        try
        {
            var state = _state;
            var rev = request.Revision;
            if (rev <= state.CompactRev)
            {
                var revision = tx.Revision;
                tx.End();
                return new ApplyResult<CompactionResponse>(EtcdErrors.Compacted, revision, CompactionBarrier());
            }

            if (rev > state.CurrentRev)
            {
                return Refuse<CompactionResponse>(tx, EtcdErrors.FutureRev);
            }

            Span<byte> key = stackalloc byte[Revision.KeyLength];
            new Revision(rev, 0).WriteKey(key);
            _backend.BucketPut(BackendSchema.MetaBucket, ScheduledCompactKey, key);
            Volatile.Write(ref _state, new ReadState(state.CurrentRev, rev, state.Buffer));
            var write = tx.End();
            // The schedule is committed before any of its deletions can be.
            Commit();
            var physical = ScheduleCompaction(rev);
            var resp = new CompactionResponse { Header = new ResponseHeader { Revision = state.CurrentRev } };
            return new ApplyResult<CompactionResponse>(resp, write, physical);
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            Fail(e);
            throw;
        }
    }

    private void ResumeCompaction(long rev)
    {
        var state = _state;
        _state = new ReadState(state.CurrentRev, rev, state.Buffer);
        ScheduleCompaction(rev);
    }

    private Task ScheduleCompaction(long rev)
    {
        Task task;
        lock (_compactLock)
        {
            _compactPendingRev = rev;
            _compactPending ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            task = _compactPending.Task;
        }

        _compactSignal.Release();
        return task;
    }

    /// <summary>
    /// Completes when every compaction scheduled so far (including one resumed on open) has physically
    /// finished; canceled if the store closes first.
    /// </summary>
    public Task WhenCompacted() => CompactionBarrier();

    private Task CompactionBarrier()
    {
        lock (_compactLock)
        {
            return _compactPending?.Task ?? _compactRunning?.Task ?? Task.CompletedTask;
        }
    }

    private void CompactionLoop()
    {
        var ct = _stopping.Token;
        try
        {
            while (true)
            {
                _compactSignal.Wait(ct);
                long rev;
                TaskCompletionSource? done;
                lock (_compactLock)
                {
                    rev = _compactPendingRev;
                    done = _compactPending;
                    _compactPending = null;
                    _compactRunning = done;
                }

                if (done is null)
                {
                    continue;
                }

                try
                {
                    RunCompaction(rev, ct);
                    done.TrySetResult();
                }
                catch (OperationCanceledException)
                {
                    done.TrySetCanceled(ct);
                    throw;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    done.TrySetException(e);
                    Fail(e);
                    return;
                }
                finally
                {
                    lock (_compactLock)
                    {
                        _compactRunning = null;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Closing: a pending compaction resumes when the store opens again.
            lock (_compactLock)
            {
                _compactPending?.TrySetCanceled(ct);
            }
        }
    }

    private void RunCompaction(long rev, CancellationToken ct)
    {
        List<Revision> kept;
        _indexCompactionGate.Wait(ct);
        try
        {
            kept = _index.Compact(rev);
        }
        finally
        {
            _indexCompactionGate.Release();
        }

        var from = new byte[Revision.KeyLength];
        var end = new byte[Revision.KeyLength];
        new Revision(rev + 1, 0).WriteKey(end);
        var keys = new List<byte[]>(_options.CompactionBatchLimit);
        var keptAt = 0;
        Span<byte> mark = stackalloc byte[Revision.KeyLength];
        new Revision(rev, 0).WriteKey(mark);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            bool finished;
            lock (_backend.WriteLock)
            {
                // Closing stops the compaction between batches; it must never fail the store, whose
                // close still commits the applier's open batch.
                ct.ThrowIfCancellationRequested();
                if (_failure is { } failure)
                {
                    throw new InvalidOperationException("the MVCC store failed", failure);
                }

                keys.Clear();
                _backend.ScanKeys(from, end, _options.CompactionBatchLimit, keys);
                var last = default(Revision);
                foreach (var key in keys)
                {
                    last = Revision.FromKey(key, out _);
                    while (keptAt < kept.Count && kept[keptAt] < last)
                    {
                        keptAt++;
                    }

                    if (keptAt >= kept.Count || kept[keptAt] != last)
                    {
                        _backend.DeleteKv(key);
                    }
                }

                finished = keys.Count < _options.CompactionBatchLimit;
                if (finished)
                {
                    _backend.BucketPut(BackendSchema.MetaBucket, FinishedCompactKey, mark);
                }
                else
                {
                    new Revision(last.Main, last.Sub + 1).WriteKey(from);
                }

                CommitLocked(durable: false);
            }

            if (finished)
            {
                return;
            }

            Pause(_options.CompactionSleepInterval, ct);
        }
    }

    /// <summary>Waits <paramref name="interval"/> on the store's clock, or until closing.</summary>
    private void Pause(TimeSpan interval, CancellationToken ct)
    {
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        using var elapsed = new ManualResetEventSlim(false);
        using var timer = _options.Time.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), elapsed, interval, Timeout.InfiniteTimeSpan);
        elapsed.Wait(ct);
    }

    private void StopCompactor()
    {
        _stopping.Cancel();
        _compactor.Join(TimeSpan.FromSeconds(30));
    }
}

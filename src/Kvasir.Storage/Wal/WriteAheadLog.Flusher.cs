namespace Kvasir.Storage.Wal;

/// <summary>
/// The flusher: one thread that takes the filling batch when the sync policy says so, writes it
/// (one pwrite per segment it touches), syncs it once, and completes everyone waiting on it. While
/// it writes and syncs, appends gather in the other batch: that is the group commit.
/// </summary>
public sealed partial class WriteAheadLog
{
    private ulong _writtenLastIndex;
    private ulong _writtenSnapshotIndex;
    private ulong _writtenCommit;

    private void FlushLoop()
    {
        try
        {
            while (NextBatch() is { } batch)
            {
                Flush(batch);
                Complete(batch);
            }

            if (_unsynced)
            {
                SyncSegment();
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
        finally
        {
            _file.Dispose();
            _stopped.TrySetResult();
        }
    }

    /// <summary>Waits until the policy lets the filling batch go, then swaps it out; null once closing with nothing left.</summary>
    private WalBatch? NextBatch()
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                if (_filling.IsEmpty)
                {
                    if (_closing)
                    {
                        return null;
                    }

                    wait = Timeout.InfiniteTimeSpan;
                }
                else
                {
                    wait = _closing || _spaceFreed is not null || _filling.Length >= _options.MaxBatchBytes
                        ? TimeSpan.Zero
                        : _options.SyncPolicy.FillTime(new WalPendingBatch(_filling.Appends, _filling.Length, _time.GetElapsedTime(_filling.FirstAppendTimestamp), _lastSyncDuration));
                    if (wait <= TimeSpan.Zero)
                    {
                        return Swap();
                    }
                }

                _wake.Reset();
                _fillWaiting = wait != Timeout.InfiniteTimeSpan;
            }

            if (wait == Timeout.InfiniteTimeSpan)
            {
                _wake.Wait();
            }
            else
            {
                using var timer = _time.CreateTimer(static state => ((ManualResetEventSlim)state!).Set(), _wake, wait, Timeout.InfiniteTimeSpan);
                _wake.Wait();
            }
        }
    }

    /// <summary>Under the lock: the filling batch becomes the flushing one, the spare starts filling.</summary>
    private WalBatch Swap()
    {
        var batch = _filling;
        batch.MustSync |= _closing;
        _flushing = batch;
        _filling = _spare!;
        _spare = null;
        _filling.Reset(batch.Sequence + 1);
        _fillWaiting = false;
        _spaceFreed?.TrySetResult();
        _spaceFreed = null;
        return batch;
    }

    private void Flush(WalBatch batch)
    {
        for (var i = 0; i < batch.RunCount; i++)
        {
            ref var run = ref batch.Run(i);
            var bytes = batch.Bytes(run);
            if (run.NewSegment)
            {
                StartSegment(run, bytes);
            }
            else
            {
                if (run.FileOffset != _fileEnd)
                {
                    throw new InvalidOperationException($"wal: a run for offset {run.FileOffset} of {_fileName} does not follow its end {_fileEnd}");
                }

                _file.Write(run.FileOffset, bytes);
                _fileEnd += bytes.Length;
                _unsynced = true;
            }

            Interlocked.Add(ref _bytesWritten, bytes.Length);
        }

        _writtenLastIndex = batch.LastIndex;
        if (batch.SnapshotIndex != 0)
        {
            _writtenSnapshotIndex = batch.SnapshotIndex;
        }

        if (batch.Commit != 0)
        {
            _writtenCommit = batch.Commit;
        }

        if (batch.MustSync)
        {
            if (_unsynced)
            {
                SyncSegment();
            }

            MarkDurable();
        }

        Interlocked.Increment(ref _batches);
    }

    /// <summary>fdatasync of the current segment: what was written to it is durable.</summary>
    private void SyncSegment()
    {
        var start = _time.GetTimestamp();
        _file.Sync();
        _lastSyncDuration = _time.GetElapsedTime(start);
        _unsynced = false;
        Interlocked.Increment(ref _syncs);
        _options.SyncObserved?.Invoke(_lastSyncDuration);
        MarkDurable();
    }

    private void MarkDurable()
    {
        Interlocked.Exchange(ref _durableIndex, (long)_writtenLastIndex);
        if (_writtenSnapshotIndex != 0)
        {
            Interlocked.Exchange(ref _durableSnapshotIndex, (long)_writtenSnapshotIndex);
        }

        if (_writtenCommit != 0)
        {
            Interlocked.Exchange(ref _durableCommit, (long)_writtenCommit);
        }
    }

    private void Complete(WalBatch batch)
    {
        lock (_gate)
        {
            _completed = batch.Sequence;
            _flushing = null;
        }

        Interlocked.Add(ref _appends, batch.Appends);
        Interlocked.Add(ref _entries, batch.Entries);
        batch.Done.TrySetResult();
        lock (_gate)
        {
            _spare = batch;
        }
    }

    /// <summary>The WAL failed: nothing more is written; every waiter, now and later, gets the fatal error.</summary>
    private void Fail(Exception error)
    {
        var fatal = new WalFatalException(
            $"wal: writing {_device.PathOf(_fileName)} failed ({error.Message}); the WAL takes no more writes and the member must stop (a failed write or fsync is never retried)",
            error);
        WalBatch? flushing;
        WalBatch filling;
        TaskCompletionSource? space;
        lock (_gate)
        {
            _fatal = fatal;
            flushing = _flushing;
            filling = _filling;
            space = _spaceFreed;
            _spaceFreed = null;
        }

        flushing?.Done.TrySetException(fatal);
        filling.Done.TrySetException(fatal);
        space?.TrySetResult();
    }
}

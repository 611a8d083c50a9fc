namespace Kvasir.Storage.Wal;

/// <summary>
/// <see cref="WalOptions.FlushOnCaller"/>: no flusher thread; a caller that needs a batch durable
/// writes it itself while holding the flush role, so batches are still written one at a time and in
/// order. A caller that finds its batch already written by another returns at once.
/// </summary>
public sealed partial class WriteAheadLog
{
    // Held by the caller that swaps, writes and completes a batch (FlushOnCaller only). Taken before _gate, never inside it.
    private readonly Lock _flushRole = new();

    /// <summary>Appends into the filling batch; when it is full, writes that batch first (no waiting on anyone).</summary>
    private WalPosition AppendOnCaller(Raft.HardState? hardState, IReadOnlyList<Raft.Entry> entries, Raft.SnapshotMetadata? snapshot, bool mustSync)
    {
        WalPosition position;
        while (!TryAppend(hardState, entries, snapshot, mustSync, out position, out _))
        {
            WriteFillingOnCaller(upTo: null);
        }

        return position;
    }

    /// <summary>Makes the batch at <paramref name="position"/> written (and synced when any append in it asked) on this thread.</summary>
    private ValueTask FlushOnCaller(WalPosition position)
    {
        try
        {
            WriteFillingOnCaller(position);
            return ValueTask.CompletedTask;
        }
        catch (WalFatalException e)
        {
            return ValueTask.FromException(e);
        }
    }

    /// <summary>
    /// Under the flush role: unless the batch at <paramref name="upTo"/> is already complete, swaps the
    /// filling batch out, writes it (syncing when an append in it asked) and completes it. With no
    /// position, writes whatever is filling. Throws <see cref="WalFatalException"/> when the WAL failed.
    /// </summary>
    private void WriteFillingOnCaller(WalPosition? upTo)
    {
        lock (_flushRole)
        {
            WalBatch batch;
            lock (_gate)
            {
                if (upTo is { } p && p.Batch <= _completed)
                {
                    return;
                }

                if (_fatal is not null)
                {
                    throw _fatal;
                }

                if (upTo is { } q && q.Batch != _filling.Sequence)
                {
                    throw new ArgumentOutOfRangeException(nameof(upTo), q, "wal: no such position (it was not returned by this WAL)");
                }

                if (_filling.IsEmpty)
                {
                    return;
                }

                batch = Swap();
            }

            try
            {
                Flush(batch);
            }
            catch (Exception e)
            {
                Fail(e);
                throw _fatal!;
            }

            Complete(batch);
        }
    }

    /// <summary>Close without a flusher: write and sync what is pending, then close the segment file.</summary>
    private void CloseOnCaller()
    {
        lock (_flushRole)
        {
            try
            {
                WalBatch? batch = null;
                lock (_gate)
                {
                    if (_fatal is null && !_filling.IsEmpty)
                    {
                        batch = Swap();
                    }
                }

                if (batch is not null)
                {
                    Flush(batch);
                    Complete(batch);
                }

                if (_fatal is null && _unsynced)
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
    }
}

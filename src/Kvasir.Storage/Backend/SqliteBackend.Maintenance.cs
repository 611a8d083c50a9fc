namespace Kvasir.Storage.Backend;

/// <summary>Checkpoints, sizes, defragmentation and consistent copies of the backend.</summary>
internal sealed partial class SqliteBackend
{
    private readonly Thread _checkpointer;
    private readonly SemaphoreSlim _checkpointSignal = new(0, 1);
    private volatile bool _stopCheckpointer;
    private int _commitsSinceCheckpoint;
    private Exception? _checkpointFailure;

    /// <summary>Bytes of the database (pages in use plus free pages), as etcd's db size.</summary>
    public long Size
    {
        get
        {
            lock (WriteLock)
            {
                ThrowIfDisposed();
                return _writer.QueryInt64("PRAGMA page_count") * _writer.QueryInt64("PRAGMA page_size");
            }
        }
    }

    /// <summary>Bytes of the database in use: free pages left by compaction are not counted.</summary>
    public long SizeInUse
    {
        get
        {
            lock (WriteLock)
            {
                ThrowIfDisposed();
                var pages = _writer.QueryInt64("PRAGMA page_count") - _writer.QueryInt64("PRAGMA freelist_count");
                return pages * _writer.QueryInt64("PRAGMA page_size");
            }
        }
    }

    /// <summary>
    /// Rebuilds the database without its free pages (etcd's defrag). Commits the open batch first. Holds
    /// the write lock throughout: writes wait, reads continue on their snapshots.
    /// </summary>
    public void Defragment()
    {
        lock (WriteLock)
        {
            Commit();
            _writer.Exec("VACUUM");
            // Copy the rebuilt pages home and shrink the file now rather than at the next checkpoint.
            _writer.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }

    /// <summary>
    /// Writes a consistent, compact copy of the committed backend to <paramref name="destination"/> (a new
    /// file) while writes continue. The copy is what a reader connection sees at the start of the call.
    /// </summary>
    public void CopyTo(string destination)
    {
        ThrowIfDisposed();
        // A connection of its own: the pooled readers are query-only, which VACUUM INTO refuses.
        using var db = SqliteDb.Open(Path, create: false);
        var escaped = destination.Replace("'", "''", StringComparison.Ordinal);
        db.Exec($"VACUUM INTO '{escaped}'");
    }

    private void SignalCheckpoint()
    {
        if (_checkpointSignal.CurrentCount == 0)
        {
            try
            {
                _checkpointSignal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    private void StopCheckpointer()
    {
        _stopCheckpointer = true;
        SignalCheckpoint();
        _checkpointer.Join(TimeSpan.FromSeconds(30));
        _checkpointSignal.Dispose();
    }

    private void CheckpointLoop()
    {
        SqliteDb? db = null;
        try
        {
            while (true)
            {
                _checkpointSignal.Wait();
                if (_stopCheckpointer)
                {
                    return;
                }

                db ??= SqliteDb.Open(Path, create: false);
                // PASSIVE never blocks the writer or readers; it copies what it can and leaves the rest.
                db.Exec("PRAGMA wal_checkpoint(PASSIVE)");
            }
        }
        catch (Exception e)
        {
            // A failed checkpoint leaves the data safe in the SQLite WAL; it is reported on the next commit.
            _checkpointFailure = e;
        }
        finally
        {
            db?.Dispose();
        }
    }

    /// <summary>The failure of the background checkpointer, if it stopped on one.</summary>
    public Exception? CheckpointFailure => _checkpointFailure;
}

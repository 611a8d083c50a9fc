namespace Kvasir.Storage.Backend;

/// <summary>The writer connection's batch: every method here requires the caller to hold <see cref="WriteLock"/>.</summary>
internal sealed partial class SqliteBackend
{
    private const string PutKvSql = "INSERT OR REPLACE INTO kv (k, v) VALUES (?1, ?2)";
    private const string DeleteKvSql = "DELETE FROM kv WHERE k = ?1";
    private const string GetKvSql = "SELECT v FROM kv WHERE k = ?1";
    private const string ScanKeysSql = "SELECT k FROM kv WHERE k >= ?1 AND k < ?2 ORDER BY k LIMIT ?3";
    private const string BucketPutSql = "INSERT OR REPLACE INTO bucket (b, k, v) VALUES (?1, ?2, ?3)";
    private const string BucketDeleteSql = "DELETE FROM bucket WHERE b = ?1 AND k = ?2";
    private const string BucketGetSql = "SELECT v FROM bucket WHERE b = ?1 AND k = ?2";
    private const string BucketScanSql = "SELECT k, v FROM bucket WHERE b = ?1 ORDER BY k";

    private bool _inBatch;

    /// <summary>Writes applied to the open batch since its last commit.</summary>
    public int PendingWrites { get; private set; }

    /// <summary>Commits since the backend was opened.</summary>
    public long Commits { get; private set; }

    public void PutKv(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var stmt = BeginWrite(PutKvSql);
        stmt.Bind(1, key);
        stmt.Bind(2, value);
        stmt.Execute();
    }

    public void DeleteKv(ReadOnlySpan<byte> key)
    {
        var stmt = BeginWrite(DeleteKvSql);
        stmt.Bind(1, key);
        stmt.Execute();
    }

    /// <summary>
    /// The value under a revision key as the writer sees it (including the open batch). The span is valid
    /// until the writer connection's next use.
    /// </summary>
    public bool TryGetKv(ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        AssertWriter();
        var stmt = _writer.Prepare(GetKvSql);
        stmt.Reset();
        stmt.Bind(1, key);
        if (stmt.Step())
        {
            value = stmt.ColumnBlob(0);
            return true;
        }

        stmt.Reset();
        value = default;
        return false;
    }

    /// <summary>Ends the read <see cref="TryGetKv"/> started (its span is no longer used).</summary>
    public void EndGetKv() => _writer.Prepare(GetKvSql).Reset();

    /// <summary>Adds to <paramref name="into"/> up to <paramref name="limit"/> keys of the key table in [from, to), ascending.</summary>
    public int ScanKeys(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, int limit, List<byte[]> into)
    {
        AssertWriter();
        var stmt = _writer.Prepare(ScanKeysSql);
        stmt.Bind(1, from);
        stmt.Bind(2, to);
        stmt.Bind(3, limit);
        var n = 0;
        try
        {
            while (stmt.Step())
            {
                into.Add(stmt.ColumnBlob(0).ToArray());
                n++;
            }
        }
        finally
        {
            stmt.Reset();
        }

        return n;
    }

    public void BucketPut(string bucket, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        var stmt = BeginWrite(BucketPutSql);
        stmt.Bind(1, bucket);
        stmt.Bind(2, key);
        stmt.Bind(3, value);
        stmt.Execute();
    }

    public void BucketDelete(string bucket, ReadOnlySpan<byte> key)
    {
        var stmt = BeginWrite(BucketDeleteSql);
        stmt.Bind(1, bucket);
        stmt.Bind(2, key);
        stmt.Execute();
    }

    /// <summary>The value under <paramref name="key"/>, as the writer sees it (including the open batch), or null.</summary>
    public byte[]? BucketGet(string bucket, ReadOnlySpan<byte> key)
    {
        AssertWriter();
        var stmt = _writer.Prepare(BucketGetSql);
        stmt.Bind(1, bucket);
        stmt.Bind(2, key);
        try
        {
            return stmt.Step() ? stmt.ColumnBlob(0).ToArray() : null;
        }
        finally
        {
            stmt.Reset();
        }
    }

    /// <summary>Every key and value of a bucket in key order, as the writer sees it.</summary>
    public List<KeyValuePair<byte[], byte[]>> BucketScan(string bucket)
    {
        AssertWriter();
        var stmt = _writer.Prepare(BucketScanSql);
        stmt.Bind(1, bucket);
        var result = new List<KeyValuePair<byte[], byte[]>>();
        try
        {
            while (stmt.Step())
            {
                result.Add(new KeyValuePair<byte[], byte[]>(stmt.ColumnBlob(0).ToArray(), stmt.ColumnBlob(1).ToArray()));
            }
        }
        finally
        {
            stmt.Reset();
        }

        return result;
    }

    /// <summary>
    /// Commits the open batch, if any. With <paramref name="durable"/> the commit is fsynced (and with it
    /// every earlier commit): call it before anything that relies on the backend surviving power loss.
    /// </summary>
    public void Commit(bool durable = false)
    {
        AssertWriter();
        ThrowIfDisposed();
        if (!_inBatch)
        {
            if (durable)
            {
                // Nothing is open, but earlier NORMAL commits may sit unsynced in the SQLite WAL: an empty
                // FULL transaction is not enough (SQLite skips it), so a checkpoint syncs the WAL instead.
                _writer.Exec("PRAGMA wal_checkpoint(PASSIVE)");
            }

            return;
        }

        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        _writer.Exec("COMMIT");
        _options.CommitObserved?.Invoke(System.Diagnostics.Stopwatch.GetElapsedTime(start));
        _inBatch = false;
        if (durable)
        {
            // SQLite refuses to change the synchronous level inside the open batch, so the commit is
            // made durable after the fact: its frames, and every earlier commit's, are in the WAL file
            // (the writer holds the lock, so nothing resets it meanwhile) or were checkpointed into
            // the database after SQLite synced the WAL. One fdatasync of the WAL file covers them.
            SyncWalFile();
        }

        PendingWrites = 0;
        Commits++;
        if (++_commitsSinceCheckpoint >= _options.CheckpointEveryCommits)
        {
            _commitsSinceCheckpoint = 0;
            SignalCheckpoint();
        }
    }

    private void SyncWalFile()
    {
        var wal = Path + "-wal";
        if (!File.Exists(wal))
        {
            return;
        }

        using var handle = File.OpenHandle(wal, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        IO.NativeFile.DataSync(handle, wal);
    }

    /// <summary>Discards the open batch (used when a write failed half-way; the store then refuses further work).</summary>
    public void Rollback()
    {
        AssertWriter();
        if (_inBatch)
        {
            _inBatch = false;
            PendingWrites = 0;
            _writer.Exec("ROLLBACK");
        }
    }

    private SqliteStatement BeginWrite(string sql)
    {
        AssertWriter();
        ThrowIfDisposed();
        if (!_inBatch)
        {
            _writer.Exec("BEGIN IMMEDIATE");
            _inBatch = true;
        }

        PendingWrites++;
        return _writer.Prepare(sql);
    }

    [System.Diagnostics.Conditional("DEBUG")]
    private void AssertWriter()
    {
        if (!WriteLock.IsHeldByCurrentThread)
        {
            throw new InvalidOperationException("the backend writer is used without holding its write lock");
        }
    }
}

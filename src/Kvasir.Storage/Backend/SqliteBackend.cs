namespace Kvasir.Storage.Backend;

/// <summary>
/// The MVCC store's backend: one SQLite database in WAL journal mode holding the revision-keyed key
/// table (etcd's "key" bucket) and generic named buckets (etcd's other bbolt buckets), with one writer
/// connection and a bounded pool of reader connections.
/// <para>
/// Ownership: the writer connection is used only by a thread holding <see cref="WriteLock"/>; the store's
/// applier holds it for a whole write transaction, the compactor for one deletion batch, the batch timer
/// for one commit. Writes accumulate in one open SQLite transaction (the batch) until <see cref="Commit"/>;
/// readers see only committed batches, so the store keeps uncommitted rows in its own buffer for them.
/// </para>
/// <para>
/// Durability: commits use synchronous=NORMAL (no fsync per commit; the database stays consistent after
/// a crash or power loss and commits land in order, but the last commits may roll back on power loss).
/// <see cref="Commit"/> with durable=true fsyncs. Mvcc/README.md gives the argument for why this is safe.
/// </para>
/// </summary>
internal sealed partial class SqliteBackend : IDisposable
{
    private readonly BackendOptions _options;
    private readonly SqliteDb _writer;
    private bool _disposed;

    private SqliteBackend(string path, BackendOptions options, SqliteDb writer)
    {
        Path = path;
        _options = options;
        _writer = writer;
        _readerSlots = new SemaphoreSlim(options.MaxReaders, options.MaxReaders);
        _checkpointer = new Thread(CheckpointLoop) { IsBackground = true, Name = "kvasir-backend-checkpoint" };
        _checkpointer.Start();
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>Held by whoever uses the writer connection; see the class contract.</summary>
    public Lock WriteLock { get; } = new();

    /// <summary>
    /// Opens the backend at <paramref name="path"/>, creating an empty one when the file does not exist.
    /// Throws <see cref="BackendException"/> when the file is not a Kvasir backend of a known version.
    /// </summary>
    public static SqliteBackend Open(string path, BackendOptions options)
    {
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        var writer = SqliteDb.Open(path, create: true);
        try
        {
            writer.Exec("PRAGMA journal_mode=WAL");
            writer.Exec("PRAGMA synchronous=NORMAL");
            // Checkpoints run on the background checkpointer, not inside the applier's commits.
            writer.Exec("PRAGMA wal_autocheckpoint=0");
            writer.Exec("PRAGMA journal_size_limit=67108864");
            writer.Exec($"PRAGMA cache_size=-{options.WriterCacheKiB}");
            writer.Exec("PRAGMA temp_store=MEMORY");
            BackendSchema.CheckOrInitialize(writer);
            return new SqliteBackend(path, options, writer);
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Closes every connection. With <paramref name="commit"/> the open batch is committed first;
    /// without it the batch is rolled back, as a crash would lose it.
    /// </summary>
    public void Close(bool commit)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        StopCheckpointer();
        lock (WriteLock)
        {
            if (_inBatch)
            {
                _writer.Exec(commit ? "COMMIT" : "ROLLBACK");
                _inBatch = false;
            }
        }

        DisposeReaders();
        _writer.Dispose();
        _readerSlots.Dispose();
    }

    public void Dispose() => Close(commit: true);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}

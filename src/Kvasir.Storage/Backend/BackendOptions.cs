namespace Kvasir.Storage.Backend;

/// <summary>Tuning of the SQLite backend. The defaults suit a member; tests shrink them.</summary>
public sealed class BackendOptions
{
    /// <summary>Page cache of the writer connection, in KiB.</summary>
    public int WriterCacheKiB { get; init; } = 32 * 1024;

    /// <summary>Page cache of each reader connection, in KiB.</summary>
    public int ReaderCacheKiB { get; init; } = 8 * 1024;

    /// <summary>Most reader connections open at once; a read beyond that waits for one to come back.</summary>
    public int MaxReaders { get; init; } = 16;

    /// <summary>
    /// Bytes of the file each reader maps into memory (0, the default, turns memory-mapped reads off:
    /// measured 5x slower point reads with it on, as pages the writer changes fault again).
    /// </summary>
    public long ReaderMmapBytes { get; init; }

    /// <summary>After this many commits the background checkpointer copies the SQLite WAL into the database.</summary>
    public int CheckpointEveryCommits { get; init; } = 32;

    /// <summary>Called under the write lock with each batch commit's duration (etcd_disk_backend_commit_duration_seconds). Must not block.</summary>
    public Action<TimeSpan>? CommitObserved { get; init; }
}

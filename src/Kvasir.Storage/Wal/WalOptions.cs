namespace Kvasir.Storage.Wal;

/// <summary>How a WAL writes. The defaults are etcd's where etcd has one.</summary>
public sealed class WalOptions
{
    /// <summary>The size a segment is preallocated to and cut at (etcd: 64 MiB). A multiple of 8, at least 4 KiB.</summary>
    public long SegmentBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>When the flusher writes and syncs a batch (not used with <see cref="FlushOnCaller"/>).</summary>
    public IWalSyncPolicy SyncPolicy { get; init; } = GroupCommitPolicy.Immediate;

    /// <summary>
    /// No flusher thread: the thread that waits for durability (<see cref="WriteAheadLog.WaitDurableAsync"/>,
    /// <see cref="WriteAheadLog.SaveAsync"/>, <see cref="WriteAheadLog.SaveSnapshotAsync"/>) writes and syncs
    /// everything appended so far itself, before the call returns; an append nobody waits for stays in memory
    /// until the next such call or the close (as etcd's WAL keeps unsynced records in its buffer). Meant for one
    /// appender that waits for each of its appends, as the member's Raft loop does: it saves two thread
    /// hand-offs per fdatasync. Concurrent waiters take turns; the one that writes covers the others.
    /// </summary>
    public bool FlushOnCaller { get; init; }

    /// <summary>
    /// The bound on bytes waiting to be written: an append that would go past it waits (asynchronously)
    /// until the flusher takes the batch. A single larger append is taken alone.
    /// </summary>
    public int MaxBatchBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>How many segment files <see cref="WriteAheadLog.ReleaseTo"/> keeps at least (etcd's --max-wals, default 5); 0 keeps every one.</summary>
    public int MaxWals { get; init; } = 5;

    /// <summary>Prepare the next segment (create and preallocate) in the background, before it is needed.</summary>
    public bool PrepareSegmentsInBackground { get; init; } = true;

    /// <summary>The clock the sync policy's waits and the sync timings use.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Called on the flusher thread with each fdatasync's duration (etcd_disk_wal_fsync_duration_seconds). Must not block.</summary>
    public Action<TimeSpan>? SyncObserved { get; init; }

    internal void Validate()
    {
        if (SegmentBytes < 4096 || SegmentBytes % 8 != 0 || SegmentBytes > (1L << 40))
        {
            throw new ArgumentOutOfRangeException(nameof(SegmentBytes), SegmentBytes, "wal: the segment size must be a multiple of 8 between 4 KiB and 1 TiB");
        }

        if (MaxBatchBytes < 4096)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchBytes), MaxBatchBytes, "wal: the batch bound must be at least 4 KiB");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxWals);
        ArgumentNullException.ThrowIfNull(SyncPolicy);
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}

using Kvasir.Storage.Backend;

namespace Kvasir.Storage.Mvcc;

/// <summary>How a store is opened and batches its writes. Defaults follow etcd's.</summary>
public sealed class MvccOptions
{
    /// <summary>The backend file (created when missing).</summary>
    public required string Path { get; init; }

    /// <summary>Commit the backend batch once it holds this many writes (etcd's --backend-batch-limit).</summary>
    public int BatchLimit { get; init; } = 10_000;

    /// <summary>Commit a non-empty batch at least this often (etcd's --backend-batch-interval).</summary>
    public TimeSpan BatchInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Backend rows examined per physical compaction batch (etcd's --compaction-batch-limit).</summary>
    public int CompactionBatchLimit { get; init; } = 1000;

    /// <summary>Pause between physical compaction batches (etcd's --compaction-sleep-interval).</summary>
    public TimeSpan CompactionSleepInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Most operations in one branch of a txn, and compares (etcd's --max-txn-ops).</summary>
    public int MaxTxnOps { get; init; } = 128;

    /// <summary>The clock for the batch timer and compaction pauses.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public BackendOptions Backend { get; init; } = new();
}

using System.Buffers.Binary;
using Kvasir.Storage.Backend;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// etcd's MVCC key-value store on a SQLite backend: keys with revisions, generations and tombstones, an
/// in-memory key index rebuilt on open, compaction in the background, watch history, hashes, snapshots
/// and generic buckets for the server's other persisted state. Mvcc/README.md is the full contract.
/// <para>
/// Threading: one applier thread calls the write operations (Put, DeleteRange, Txn, Compact,
/// BeginWrite...) in Raft log order, each with the index of its entry. Any number of threads read at the
/// same time (Range, TxnRead, ReadEvents, Get, hashes, snapshots); a read sees the store as of one
/// revision, never half of a transaction, and holds the index lock only a chunk of keys at a time.
/// </para>
/// </summary>
public sealed partial class MvccStore : IDisposable
{
    internal static readonly byte[] ConsistentIndexKey = "consistent_index"u8.ToArray();
    internal static readonly byte[] ScheduledCompactKey = "scheduledCompactRev"u8.ToArray();
    internal static readonly byte[] FinishedCompactKey = "finishedCompactRev"u8.ToArray();

    private readonly MvccOptions _options;
    private readonly SqliteBackend _backend;
    private readonly TreeIndex _index = new();
    private readonly MvccWriteTxn _txn;
    private readonly ITimer _batchTimer;
    private ReadState _state;
    private long _consistentIndex;
    private bool _consistentIndexDirty;
    private volatile Exception? _failure;
    private volatile bool _closed;
    private int _readers;

    private MvccStore(MvccOptions options, SqliteBackend backend)
    {
        _options = options;
        _backend = backend;
        _txn = new MvccWriteTxn(this);
        _state = new ReadState(1, -1, new WriteBuffer(2));
        var scheduled = Restore();
        _compactor = new Thread(CompactionLoop) { IsBackground = true, Name = "kvasir-mvcc-compactor" };
        _compactor.Start();
        if (scheduled >= 0)
        {
            ResumeCompaction(scheduled);
        }

        _batchTimer = options.Time.CreateTimer(static s => ((MvccStore)s!).OnBatchTimer(), this, options.BatchInterval, options.BatchInterval);
    }

    /// <summary>The Raft index of the last entry applied to the store (persisted with the data it covers).</summary>
    public long ConsistentIndex => Volatile.Read(ref _consistentIndex);

    /// <summary>The store revision: the main revision of the last write transaction that changed a key (1 when empty).</summary>
    public long CurrentRevision => Volatile.Read(ref _state).CurrentRev;

    /// <summary>The compacted revision, -1 before the first compaction.</summary>
    public long CompactRevision => Volatile.Read(ref _state).CompactRev;

    /// <summary>Bytes of the backend (etcd's db size).</summary>
    public long DbSize => _backend.Size;

    /// <summary>Bytes of the backend in use; the rest is space compaction freed, which defrag returns.</summary>
    public long DbSizeInUse => _backend.SizeInUse;

    /// <summary>Keys the index holds (live keys and deleted keys whose history is not compacted away).</summary>
    public int IndexedKeys => _index.Count;

    /// <summary>The backend file.</summary>
    public string Path => _backend.Path;

    /// <summary>
    /// Opens the store at <see cref="MvccOptions.Path"/>, creating an empty one when the file is missing,
    /// and rebuilds the key index from the backend. Throws <see cref="BackendException"/> when the file is
    /// not a Kvasir backend of a schema version this build reads.
    /// </summary>
    public static MvccStore Open(MvccOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var backend = SqliteBackend.Open(options.Path, options.Backend);
        try
        {
            return new MvccStore(options, backend);
        }
        catch
        {
            backend.Close(commit: false);
            throw;
        }
    }

    /// <summary>
    /// Commits the open backend batch now (with the consistent index). With <paramref name="durable"/> the
    /// commit is fsynced: call it before a Raft snapshot lets the WAL drop the entries the store covers.
    /// </summary>
    public void Commit(bool durable = false)
    {
        lock (_backend.WriteLock)
        {
            ThrowIfUnusable();
            CommitLocked(durable);
        }
    }

    /// <summary>
    /// Records that the entry at <paramref name="raftIndex"/> was applied without touching the store (a
    /// conf change, an empty entry), so the consistent index moves past it at the next commit.
    /// </summary>
    public void AdvanceConsistentIndex(long raftIndex)
    {
        lock (_backend.WriteLock)
        {
            ThrowIfUnusable();
            CheckRaftIndex(raftIndex);
            SetConsistentIndex(raftIndex);
        }
    }

    /// <summary>Commits what is pending, stops background work and closes the backend.</summary>
    public void Dispose() => Close(commit: true);

    /// <summary>
    /// Closes like a crash: the open batch is rolled back, so the backend keeps only what was committed.
    /// For tests of recovery.
    /// </summary>
    internal void Abandon() => Close(commit: false);

    private void Close(bool commit)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        _batchTimer.Dispose();
        StopCompactor();
        var spin = new SpinWait();
        var deadline = Environment.TickCount64 + 10_000;
        while (Volatile.Read(ref _readers) > 0 && Environment.TickCount64 < deadline)
        {
            spin.SpinOnce();
        }

        lock (_backend.WriteLock)
        {
            if (commit && _failure is null)
            {
                CommitLocked(durable: false);
            }
        }

        _backend.Close(commit: false);
        _index.Dispose();
    }

    /// <summary>Commits under the write lock: writes the consistent index into the batch, commits, starts a new buffer.</summary>
    private void CommitLocked(bool durable)
    {
        if (_consistentIndexDirty)
        {
            Span<byte> ci = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(ci, _consistentIndex);
            _backend.BucketPut(BackendSchema.MetaBucket, ConsistentIndexKey, ci);
            _consistentIndexDirty = false;
        }

        if (_backend.PendingWrites == 0 && !durable)
        {
            return;
        }

        _backend.Commit(durable);
        var state = _state;
        if (state.Buffer.Count > 0)
        {
            Volatile.Write(ref _state, new ReadState(state.CurrentRev, state.CompactRev, new WriteBuffer(state.CurrentRev + 1)));
        }
    }

    private void OnBatchTimer()
    {
        if (_closed || _failure is not null)
        {
            return;
        }

        try
        {
            lock (_backend.WriteLock)
            {
                if (!_closed && _failure is null && (_backend.PendingWrites > 0 || _consistentIndexDirty))
                {
                    CommitLocked(durable: false);
                }
            }
        }
        catch (Exception e)
        {
            Fail(e);
        }
    }

    private void SetConsistentIndex(long raftIndex)
    {
        if (raftIndex > 0)
        {
            Volatile.Write(ref _consistentIndex, raftIndex);
            _consistentIndexDirty = true;
        }
    }

    private void CheckRaftIndex(long raftIndex)
    {
        if (raftIndex < 0 || (raftIndex > 0 && raftIndex <= _consistentIndex))
        {
            throw new InvalidOperationException(
                $"entry {raftIndex} is at or below the consistent index {_consistentIndex}: the applier must skip entries the store already applied");
        }
    }

    /// <summary>Marks the store failed after a write broke half-way: the batch is rolled back and every later call throws.</summary>
    private void Fail(Exception e)
    {
        _failure ??= e;
        try
        {
            lock (_backend.WriteLock)
            {
                _backend.Rollback();
            }
        }
        catch (BackendException)
        {
            // Already failing; the first failure is the one reported.
        }
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_failure is { } failure)
        {
            throw new InvalidOperationException("the MVCC store failed and must be reopened", failure);
        }
    }

    private void EnterRead()
    {
        Interlocked.Increment(ref _readers);
        if (_closed)
        {
            Interlocked.Decrement(ref _readers);
            throw new ObjectDisposedException(nameof(MvccStore));
        }
    }

    private void ExitRead() => Interlocked.Decrement(ref _readers);
}

using Kvasir.Storage.IO;

namespace Kvasir.Storage.Wal;

/// <summary>
/// The write-ahead log: Raft's entries, HardState and snapshot markers, made durable before the
/// member acts on them. Open one with <see cref="Open(IStorageDevice, WalSnapshot, WalOptions?)"/>
/// (an existing member), <see cref="Create(IStorageDevice, WalMetadata, WalOptions?)"/> (a new one) or
/// <see cref="CreateFromSnapshot"/> (a restored one); read one without writing with
/// <see cref="Read"/>; print one with <see cref="WalDump"/>. The format is in FORMAT.md.
/// </summary>
/// <remarks>
/// <para>Appends are thread-safe and are written in the order they are taken. They gather into a
/// batch that one flusher thread writes with one pwrite and one fdatasync (group commit); the caller
/// awaits its <see cref="WalPosition"/> to know it is durable. With <see cref="WalOptions.FlushOnCaller"/>
/// there is no flusher thread: the waiting caller writes and syncs the batch itself. For each Raft Ready the member calls
/// <see cref="SaveAsync"/> (or <see cref="AppendAsync"/> then <see cref="WaitDurableAsync"/>) and
/// acknowledges, or answers the leader, only after it completes.</para>
/// <para>A failed write or fdatasync is fatal: every pending and later call fails with
/// <see cref="WalFatalException"/>, the member must stop, and nothing is retried.</para>
/// <para>Ownership: the WAL holds the directory's lock file until disposed; it owns the device only
/// when it opened it from a path.</para>
/// </remarks>
public sealed partial class WriteAheadLog : IAsyncDisposable, IDisposable
{
    /// <summary>The lock file that keeps a second writer out of the directory.</summary>
    public const string LockFileName = "wal.lock";

    private readonly IStorageDevice _device;
    private readonly bool _ownsDevice;
    private readonly IDisposable _directoryLock;
    private readonly WalOptions _options;
    private readonly TimeProvider _time;
    private readonly WalSegmentPreparer _preparer;
    private readonly Thread? _flusher;
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Appender state, guarded by _gate.
    private readonly Lock _gate = new();
    private readonly WalEncoder _encoder;
    private WalBatch _filling;
    private WalBatch? _spare;
    private WalBatch? _flushing;
    private bool _segmentHasBody;
    private ulong _lastIndex;
    private ulong _snapshotIndex;
    private long _completed;
    private WalFatalException? _fatal;
    private bool _closing;
    private bool _fillWaiting;
    private TaskCompletionSource? _spaceFreed;

    // Flusher state, touched only by whoever writes batches: the flusher thread, or, with FlushOnCaller,
    // the caller holding _flushRole (and by the constructor before either can run).
    private IStorageFile _file;
    private string _fileName;
    private long _fileEnd;
    private bool _unsynced;
    private TimeSpan _lastSyncDuration;

    // The segments on the device, guarded by _segmentsGate (the flusher adds, ReleaseTo removes).
    private readonly Lock _segmentsGate = new();
    private readonly List<WalSegmentName> _segments;

    // Statistics, Interlocked.
    private long _appends;
    private long _entries;
    private long _batches;
    private long _syncs;
    private long _bytesWritten;
    private long _segmentsCut;
    private long _durableIndex;
    private long _durableSnapshotIndex;
    private long _durableCommit;
    private int _disposed;

    private WriteAheadLog(IStorageDevice device, bool ownsDevice, IDisposable directoryLock, WalOptions options, WalMetadata metadata, WalReadResult recovered, List<WalSegmentName> segments, IStorageFile file, long endOffset, uint lastCrc, bool hasBody, ulong lastSnapshotIndex)
    {
        _device = device;
        _ownsDevice = ownsDevice;
        _directoryLock = directoryLock;
        _options = options;
        _time = options.TimeProvider;
        Metadata = metadata;
        Recovered = recovered;
        _segments = segments;
        _file = file;
        var last = segments[^1];
        _fileName = last.FileName;
        _fileEnd = endOffset;
        _encoder = new WalEncoder(last.Seq, endOffset, lastCrc);
        _segmentHasBody = hasBody;
        _lastIndex = recovered.LastIndex;
        (_hardTerm, _hardVote, _hardCommit) = (recovered.HardState.Term, recovered.HardState.Vote, recovered.HardState.Commit);
        _durableSnapshotIndex = (long)lastSnapshotIndex;
        _durableCommit = (long)recovered.HardState.Commit;
        _snapshotIndex = lastSnapshotIndex;
        _durableIndex = (long)_lastIndex;
        _filling = new WalBatch();
        _filling.Reset(1);
        _spare = new WalBatch();
        _preparer = new WalSegmentPreparer(device, options.SegmentBytes, options.PrepareSegmentsInBackground);
        _preparer.PrepareNext();
        if (!options.FlushOnCaller)
        {
            _flusher = new Thread(FlushLoop) { IsBackground = true, Name = "kvasir-wal-flusher" };
            _flusher.Start();
        }
    }

    /// <summary>Whose log this is.</summary>
    public WalMetadata Metadata { get; }

    /// <summary>What the WAL held when it was opened (for a new WAL: its initial state).</summary>
    public WalReadResult Recovered { get; }

    /// <summary>Where the WAL lives.</summary>
    public string Location => _device.Location;

    /// <summary>The index of the last entry appended (or of the last snapshot when none follows it).</summary>
    public ulong LastIndex
    {
        get
        {
            lock (_gate)
            {
                return _lastIndex;
            }
        }
    }

    /// <summary>The last index of the log as of the last fdatasync: every entry up to it is durable.</summary>
    public ulong DurableIndex => (ulong)Interlocked.Read(ref _durableIndex);

    /// <summary>The segment files on the device, oldest first.</summary>
    public IReadOnlyList<string> SegmentFiles
    {
        get
        {
            lock (_segmentsGate)
            {
                var names = new List<string>(_segments.Count);
                foreach (var segment in _segments)
                {
                    names.Add(segment.FileName);
                }

                return names;
            }
        }
    }

    public WalStatistics Statistics => new(
        Interlocked.Read(ref _appends),
        Interlocked.Read(ref _entries),
        Interlocked.Read(ref _batches),
        Interlocked.Read(ref _syncs),
        Interlocked.Read(ref _bytesWritten),
        Interlocked.Read(ref _segmentsCut));

    /// <summary>
    /// Writes and syncs what was appended, stops the flusher and releases the directory. Appends
    /// after this fail with <see cref="ObjectDisposedException"/>. Does not throw for an earlier fatal error.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (BeginClose())
        {
            if (_flusher is null)
            {
                CloseOnCaller();
            }

            await _stopped.Task.ConfigureAwait(false);
            EndClose();
        }
    }

    /// <summary>As <see cref="DisposeAsync"/>, blocking until the flusher has finished.</summary>
    public void Dispose()
    {
        if (BeginClose())
        {
            if (_flusher is null)
            {
                CloseOnCaller();
            }
            else
            {
                _flusher.Join();
            }

            EndClose();
        }
    }

    private bool BeginClose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return false;
        }

        lock (_gate)
        {
            _closing = true;
            _wake.Set();
        }

        return true;
    }

    private void EndClose()
    {
        _preparer.Dispose();
        _filling.Release();
        _spare?.Release();
        _directoryLock.Dispose();
        if (_ownsDevice)
        {
            _device.Dispose();
        }
    }
}

using System.Diagnostics.Metrics;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Raft;
using Kvasir.Server.Config;
using Kvasir.Storage.Backend;
using Kvasir.Storage.Mvcc;
using Kvasir.Storage.Wal;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Member;

/// <summary>
/// One member (etcd's EtcdServer): its data directory, the Raft loop, the applier, the wait
/// registry, linearizable reads, Raft snapshots, alarms, the quota and its metrics. Open it with
/// <see cref="Open(MemberConfig, MemberComponents?, ILoggerFactory, Meter, TimeProvider?)"/>, <see cref="Start"/> it, register the gRPC services on it, and stop it with
/// <see cref="StopAsync"/> after the server has stopped taking requests. <see cref="Failed"/>
/// completes if a fatal error (the WAL or the backend failed) stopped it: the process must exit.
/// </summary>
/// <remarks>
/// Threads: the Raft loop (owns Raft), the applier (the only writer of the store), the WAL's
/// flusher, the store's compactor and batch timer, one tick timer; requests run on the thread pool
/// and never block any of them. Queues between them are bounded.
/// </remarks>
public sealed partial class MemberServer : IMemberState, IProposer, IAsyncDisposable
{
    /// <summary>etcd's maxGapBetweenApplyAndCommitIndex: beyond it, proposals get <c>too many requests</c>.</summary>
    public const ulong MaxApplyLag = 5000;

    /// <summary>Proposals the Raft loop's inbox holds at most; beyond it, <c>too many requests</c>.</summary>
    public const int MaxPendingProposals = 64 * 1024;

    private readonly MemberConfig _config;
    private readonly MemberStorage _storage;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly RaftNode _raft;
    private readonly Applier _applier;
    private readonly WaitRegistry _waits = new();
    private readonly AppliedIndexNotifier _applied;
    private readonly ReadIndexCoordinator _reads;
    private readonly RequestIdGenerator _ids;
    private readonly MemberMetrics _metrics;
    private readonly ILeaseApplier _leases;
    private readonly IWatchNotifier _watches;
    private readonly TaskCompletionSource<Exception> _failed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan _requestTimeout;
    private readonly int _maxRequestBytes;
    private ITimer? _ticker;
    private AutoCompactor? _compactor;
    private ulong _term;
    private ulong _leader;
    private readonly ulong _readyIndex;
    private ulong _committed;
    private int _isLeader;
    private long _dbSize;
    private long _dbSizeInUse;
    private int _sampling;
    private int _phase; // 0 opened, 1 running, 2 stopping, 3 stopped

    private MemberServer(MemberConfig config, MemberStorage storage, MemberComponents components, ILoggerFactory loggers, Meter meter, TimeProvider time, MemberMetrics metrics)
    {
        _config = config;
        _storage = storage;
        _time = time;
        _log = loggers.CreateLogger("Kvasir.Server.Member");
        _requestTimeout = config.RequestTimeout;
        _maxRequestBytes = (int)config.MaxRequestBytes;
        _ids = new RequestIdGenerator(storage.MemberId, time.GetUtcNow());
        _applied = new AppliedIndexNotifier((ulong)storage.Store.ConsistentIndex);
        _committed = storage.Log.HardState.Commit;
        _term = storage.Log.HardState.Term;
        _lastSnapshotIndex = storage.Snapshot.Index;
        _confStates.Add((storage.Snapshot.Index, storage.Snapshot.ConfState ?? new ConfState()));
        _dbSize = storage.Store.DbSize;
        _dbSizeInUse = storage.Store.DbSizeInUse;
        Alarms = AlarmStore.Restore(storage.Store);
        Members = MemberRegistry.Restore(storage.Store);
        Quota = new BackendQuota(config.QuotaBackendBytes, () => Volatile.Read(ref _dbSize));
        _metrics = metrics;
        _metrics.Register(meter, this);

        _leases = components.Lessor?.Invoke(this) ?? RefusingLeaseApplier.Instance;
        _watches = components.WatchHub?.Invoke(this) ?? NullWatchNotifier.Instance;

        var node = new RawNode(new RaftConfig
        {
            Id = storage.MemberId,
            ElectionTick = config.ElectionTicks,
            HeartbeatTick = config.HeartbeatTicks,
            Storage = storage.Log,
            Applied = storage.Snapshot.Index,
            MaxSizePerMsg = 1024 * 1024,
            MaxInflightMsgs = 4096 / 8,
            MaxUncommittedEntriesSize = 1UL << 30,
            CheckQuorum = true,
            PreVote = config.PreVote,
            Logger = new RaftLogger(loggers.CreateLogger("Kvasir.Raft")),
            Random = new Random(unchecked((int)(storage.MemberId ^ (ulong)time.GetUtcNow().UtcTicks))),
        });
        if (storage.IsNew)
        {
            var self = new MemberRecord { Id = storage.MemberId, PeerUrls = config.InitialClusterMap()[config.Name].Select(MemberIds.UrlText).ToList(), Name = config.Name };
            node.Bootstrap([new Peer(storage.MemberId, MemberRegistry.Context(self))]);
        }

        // Ready once everything committed at start is applied: the bootstrap membership entry of a
        // new member, the log replayed after a restart. Before that, MemberList could be empty.
        _readyIndex = node.Status().Commit;
        _raft = new RaftNode(node, storage.Log, storage.Wal, new RaftHost(this), MaxPendingProposals);
        _reads = new ReadIndexCoordinator(_raft.TryReadIndex, time, config.RequestTimeout, () =>
        {
            // etcd counts a read index round that timed out as slow.
            _metrics.SlowReadIndex();
            return Api.Errors.EtcdErrors.Timeout.ToRpcException();
        });
        _applier = new Applier(
            new ApplierParts
            {
                Store = storage.Store,
                Leases = _leases,
                Watches = _watches,
                Alarms = Alarms,
                Members = Members,
                Quota = Quota,
                Waits = _waits,
                Metrics = _metrics,
                Log = _log,
                OnBatchApplied = OnBatchApplied,
                OnFatal = Fatal,
            },
            maxQueuedEntries: (long)MaxApplyLag + MaxPendingProposals + 1024,
            maxQueuedBytes: 512L * 1024 * 1024);
    }

    public MemberConfig Config => _config;

    /// <summary>The MVCC store. Reads from any thread; writes only through proposals.</summary>
    public MvccStore Store => _storage.Store;

    public AlarmStore Alarms { get; }

    public MemberRegistry Members { get; }

    public BackendQuota Quota { get; }

    /// <summary>The member's metrics (the services count their reads in them).</summary>
    internal MemberMetrics Metrics => _metrics;

    /// <summary>WAL record bytes written since the member opened (etcd_disk_wal_write_bytes_total).</summary>
    internal long WalBytesWritten => _storage.Wal.Statistics.BytesWritten;

    /// <summary>The lease applier in use (the stand-in until the lessor is wired in).</summary>
    public ILeaseApplier Leases => _leases;

    public string Name => _config.Name;

    public ulong ClusterId => _storage.ClusterId;

    public ulong MemberId => _storage.MemberId;

    public ulong Term => Volatile.Read(ref _term);

    public ulong LeaderId => Volatile.Read(ref _leader);

    public bool IsLeader => Volatile.Read(ref _isLeader) != 0;

    public ulong AppliedIndex => _applied.Applied;

    /// <summary>The committed index as the Raft loop last handed it out (Status's raftIndex).</summary>
    public ulong CommittedIndex => Volatile.Read(ref _committed);

    /// <summary>The backend's size (sampled every tick; etcd's db size).</summary>
    public long DbSize => Volatile.Read(ref _dbSize);

    /// <summary>The backend's size in use (sampled every tick).</summary>
    public long DbSizeInUse => Volatile.Read(ref _dbSizeInUse);

    /// <summary>Proposals waiting to be applied.</summary>
    public int PendingProposals => _waits.Count;

    /// <summary>How long a proposal or a linearizable read may take before <c>request timed out</c>.</summary>
    public TimeSpan RequestTimeout => _requestTimeout;

    /// <summary>Completes with the error when a fatal failure stopped the member.</summary>
    public Task<Exception> Failed => _failed.Task;

    /// <summary>Raised (on the Raft loop's thread) when this member becomes or stops being the leader. Must not block.</summary>
    public event Action<bool>? LeadershipChanged;

    /// <summary>
    /// Opens the member's data directory (bootstrapping a new single-member cluster, or restarting
    /// from the WAL and the newest snapshot) and builds the loops, not yet started. Throws
    /// <see cref="ConfigException"/> for flags that cannot start it, <see cref="WalException"/> and
    /// <see cref="BackendException"/> for storage that cannot be used (nothing is changed then).
    /// </summary>
    public static MemberServer Open(MemberConfig config, MemberComponents? components, ILoggerFactory loggers, Meter meter, TimeProvider? time = null) =>
        Open(config, components, loggers, meter, time, walDevice: null);

    /// <summary><see cref="Open(MemberConfig, MemberComponents?, ILoggerFactory, Meter, TimeProvider?)"/> with the WAL on a device tests choose (to inject faults).</summary>
    internal static MemberServer Open(MemberConfig config, MemberComponents? components, ILoggerFactory loggers, Meter meter, TimeProvider? time, Func<string, Storage.IO.IStorageDevice>? walDevice)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(meter);
        time ??= TimeProvider.System;
        var metrics = new MemberMetrics(meter);
        var walOptions = new WalOptions
        {
            SegmentBytes = (long)config.WalSegmentBytes,
            MaxWals = (int)Math.Min(config.MaxWals, int.MaxValue),
            TimeProvider = time,
            SyncObserved = metrics.WalFsync,

            // The Raft loop waits for each Ready's sync anyway: it writes and syncs the batch itself,
            // sparing a hand-off to a flusher thread and back for every fdatasync.
            FlushOnCaller = true,
        };
        var mvccOptions = new MvccOptions
        {
            Path = config.BackendPath,
            BatchLimit = config.BackendBatchLimit > 0 ? (int)Math.Min(config.BackendBatchLimit, int.MaxValue) : 10_000,
            BatchInterval = config.BackendBatchInterval > TimeSpan.Zero ? config.BackendBatchInterval : TimeSpan.FromMilliseconds(100),
            CompactionBatchLimit = config.CompactionBatchLimit > 0 ? (int)Math.Min(config.CompactionBatchLimit, int.MaxValue) : 1000,
            CompactionSleepInterval = config.CompactionSleepInterval,
            MaxTxnOps = (int)Math.Min(config.MaxTxnOps, int.MaxValue),
            Time = time,
            Backend = new BackendOptions { CommitObserved = metrics.BackendCommit },
        };
        var storage = MemberStorage.Open(config, walOptions, mvccOptions, walDevice);
        try
        {
            var member = new MemberServer(config, storage, components ?? new MemberComponents(), loggers, meter, time, metrics);
            member.LogOpened(storage);
            return member;
        }
        catch
        {
            storage.Store.Dispose();
            storage.Wal.Dispose();
            storage.WalDevice.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Completes once the member has applied every entry committed when it opened, so that what it
    /// answers (members, keys) is what it had; faults when the member stops first. The host serves
    /// clients only after this, as etcd serves them once ready. No leader is needed for it.
    /// </summary>
    public Task WaitReadyAsync() => _applied.WaitAsync(_readyIndex);

    /// <summary>Starts the applier, the Raft loop and the tick timer; a sole voter campaigns at once.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _phase, 1, 0) != 0)
        {
            throw new InvalidOperationException("the member was started already");
        }

        _applier.Start();
        _raft.Start();
        var interval = TimeSpan.FromMilliseconds(_config.HeartbeatMs);
        _ticker = _time.CreateTimer(static s => ((MemberServer)s!).OnTick(), this, interval, interval);
        var (period, revisions) = _config.CompactionRetention();
        if (period > TimeSpan.Zero || revisions > 0)
        {
            _compactor = new AutoCompactor(this, period, revisions, _time, _log);
            _compactor.Start();
        }
    }

    /// <summary>A response header: cluster id, member id, raft term and <paramref name="revision"/>.</summary>
    public ResponseHeader Header(long revision) => new()
    {
        ClusterId = ClusterId,
        MemberId = MemberId,
        RaftTerm = Term,
        Revision = revision,
    };

    /// <summary>A fresh id from etcd's generator (request ids, server-chosen lease ids).</summary>
    public ulong NextId() => _ids.Next();

    public ValueTask DisposeAsync() => new(StopAsync(CancellationToken.None));

    private void OnTick()
    {
        if (Volatile.Read(ref _phase) != 1)
        {
            return;
        }

        _raft.Tick();
        _reads.OnTick();
        var expired = _waits.ExpireDue(_time.GetTimestamp(), static () => Api.Errors.EtcdErrors.Timeout.ToRpcException());
        _metrics.ProposalsFailed(expired);

        // Reading the sizes takes the backend's write lock, which a long apply may hold: never on
        // the tick's thread. One sample at a time.
        if (Interlocked.Exchange(ref _sampling, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static m => m.SampleDbSize(), this, preferLocal: false);
        }
    }

    /// <summary>Samples the backend's sizes now (after a defragment).</summary>
    public void RefreshDbSize()
    {
        while (Interlocked.Exchange(ref _sampling, 1) != 0)
        {
            Thread.Yield();
        }

        SampleDbSize();
    }

    // Called holding the _sampling flag; clears it.
    private void SampleDbSize()
    {
        try
        {
            Volatile.Write(ref _dbSize, Store.DbSize);
            Volatile.Write(ref _dbSizeInUse, Store.DbSizeInUse);
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException or BackendException)
        {
            // The store is closing or failed; the applier reports a failure.
        }
        finally
        {
            Volatile.Write(ref _sampling, 0);
        }
    }
}

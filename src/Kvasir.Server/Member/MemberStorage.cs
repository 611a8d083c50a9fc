using Kvasir.Raft;
using Kvasir.Server.Config;
using Kvasir.Storage.Backend;
using Kvasir.Storage.IO;
using Kvasir.Storage.Mvcc;
using Kvasir.Storage.Snap;
using Kvasir.Storage.Wal;

namespace Kvasir.Server.Member;

/// <summary>
/// A member's data directory opened: the WAL, the snapshot files, the MVCC backend and the Raft log
/// rebuilt in memory. <see cref="Open"/> bootstraps a new single-member cluster when the directory
/// holds no WAL, and restarts from it otherwise: snapshot markers → newest usable snapshot → WAL
/// opened at it (a torn tail cut off) → the entries after the snapshot into a
/// <see cref="MemoryRaftLog"/>. Layout (etcd's): <c>member/wal/*.wal</c>, <c>member/snap/*.snap</c>,
/// <c>member/snap/db</c>.
/// </summary>
internal sealed class MemberStorage
{
    private MemberStorage(IStorageDevice walDevice, WriteAheadLog wal, Snapshotter snapshotter, MvccStore store, MemoryRaftLog log, bool isNew, SnapshotMetadata snapshot, IReadOnlyList<SnapSkipped> skipped)
    {
        WalDevice = walDevice;
        Wal = wal;
        Snapshotter = snapshotter;
        Store = store;
        Log = log;
        IsNew = isNew;
        Snapshot = snapshot;
        SkippedSnapshots = skipped;
    }

    /// <summary>The device the WAL is on; the member disposes it after the WAL.</summary>
    public IStorageDevice WalDevice { get; }

    public WriteAheadLog Wal { get; }

    public Snapshotter Snapshotter { get; }

    public MvccStore Store { get; }

    public MemoryRaftLog Log { get; }

    /// <summary>True when this start created the member (its first Ready persists the bootstrap entries).</summary>
    public bool IsNew { get; }

    /// <summary>The Raft snapshot the log starts after (index 0 when none).</summary>
    public SnapshotMetadata Snapshot { get; }

    /// <summary>Newer snapshot files passed over at start, and why.</summary>
    public IReadOnlyList<SnapSkipped> SkippedSnapshots { get; }

    public ulong MemberId => Wal.Metadata.MemberId;

    public ulong ClusterId => Wal.Metadata.ClusterId;

    /// <summary>
    /// Opens (or creates) the member's storage. Throws <see cref="ConfigException"/> for a start the
    /// flags do not allow (joining an existing cluster, several founding members),
    /// <see cref="WalException"/> (<see cref="WalCorruptException"/> for damage) or
    /// <see cref="BackendException"/> for storage that cannot be used, and
    /// <see cref="InvalidOperationException"/> when the backend and the WAL disagree.
    /// </summary>
    /// <param name="walDevice">Opens the WAL directory as a device (tests wrap it to inject faults); null for the file system.</param>
    public static MemberStorage Open(MemberConfig config, WalOptions walOptions, MvccOptions mvccOptions, Func<string, IStorageDevice>? walDevice = null)
    {
        Directory.CreateDirectory(config.SnapDir);
        var walDir = config.EffectiveWalDir;
        var exists = false;
        if (Directory.Exists(walDir))
        {
            using var probe = new FileStorageDevice(walDir, create: false);
            exists = WriteAheadLog.Exists(probe);
        }

        walDevice ??= static dir => new FileStorageDevice(dir, create: true);
        return exists ? Restart(config, walDir, walOptions, mvccOptions, walDevice) : Bootstrap(config, walDir, walOptions, mvccOptions, walDevice);
    }

    private static MemberStorage Bootstrap(MemberConfig config, string walDir, WalOptions walOptions, MvccOptions mvccOptions, Func<string, IStorageDevice> walDevice)
    {
        if (config.InitialClusterState == "existing")
        {
            throw new ConfigException("--initial-cluster-state=existing: joining an existing cluster is not supported yet; Kvasir runs single-member clusters");
        }

        config.ValidateBootstrap();
        var cluster = config.InitialClusterMap();
        if (cluster.Count != 1)
        {
            throw new ConfigException($"--initial-cluster names {cluster.Count} members; Kvasir runs single-member clusters only for now");
        }

        var peerUrls = cluster[config.Name].Select(MemberIds.UrlText).ToList();
        var memberId = MemberIds.ComputeMemberId(peerUrls, config.InitialClusterToken);
        var clusterId = MemberIds.ComputeClusterId([memberId]);

        // The backend of a member that never had a WAL must be empty: one with data belongs to a
        // member whose log is gone, and starting over it would fork its history.
        var store = MvccStore.Open(mvccOptions);
        try
        {
            if (store.ConsistentIndex != 0)
            {
                throw new InvalidOperationException($"the backend {config.BackendPath} holds data (consistent index {store.ConsistentIndex}) but there is no WAL in {walDir}: refusing to start a new member over it (restore the WAL, or move the data directory away)");
            }

            var device = walDevice(walDir);
            WriteAheadLog wal;
            try
            {
                wal = WriteAheadLog.Create(device, new WalMetadata(clusterId, memberId), walOptions);
            }
            catch
            {
                device.Dispose();
                throw;
            }

            return new MemberStorage(device, wal, new Snapshotter(config.SnapDir), store, new MemoryRaftLog(), isNew: true, new SnapshotMetadata { ConfState = new ConfState() }, []);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private static MemberStorage Restart(MemberConfig config, string walDir, WalOptions walOptions, MvccOptions mvccOptions, Func<string, IStorageDevice> walDevice)
    {
        var snapshotter = new Snapshotter(config.SnapDir);
        IReadOnlyList<SnapshotMetadata> markers;
        using (var probe = new FileStorageDevice(walDir, create: false))
        {
            markers = WriteAheadLog.ReadSnapshotMarkers(probe);
        }

        var loaded = snapshotter.LoadNewestAvailable(markers);
        var snapshot = loaded.Snapshot?.Metadata ?? new SnapshotMetadata { ConfState = new ConfState() };
        var device = walDevice(walDir);
        WriteAheadLog wal;
        try
        {
            wal = WriteAheadLog.Open(device, new WalSnapshot(snapshot.Index, snapshot.Term), walOptions);
        }
        catch
        {
            device.Dispose();
            throw;
        }

        MvccStore? store = null;
        try
        {
            store = MvccStore.Open(mvccOptions);
            var recovered = wal.Recovered;
            var ci = (ulong)store.ConsistentIndex;
            if (ci < snapshot.Index)
            {
                throw new InvalidOperationException($"the backend's consistent index {ci} is behind the Raft snapshot at index {snapshot.Index}: the backend lost writes it had made durable; refusing to start (restore the member from a snapshot)");
            }

            if (ci > recovered.LastIndex)
            {
                throw new InvalidOperationException($"the backend's consistent index {ci} is beyond the last WAL entry {recovered.LastIndex}: the WAL lost entries the backend applied; refusing to start (restore the member from a snapshot)");
            }

            var log = new MemoryRaftLog();
            if (snapshot.Index > 0)
            {
                log.ApplySnapshot(new Snapshot { Metadata = snapshot });
            }

            log.SetHardState(recovered.HardState);
            log.Append(recovered.Entries);
            return new MemberStorage(device, wal, snapshotter, store, log, isNew: false, snapshot, loaded.Skipped);
        }
        catch
        {
            store?.Dispose();
            wal.Dispose();
            device.Dispose();
            throw;
        }
    }
}

using System.Diagnostics.Metrics;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Hosting;

namespace Kvasir.Server.Member;

/// <summary>
/// The member's metrics under etcd's names (shared/ETCD-FACTS.md, section 5.3), on the "Kvasir"
/// meter that /metrics exports. Hot paths only bump untagged counters or histograms; everything
/// tagged or derived is observed when /metrics is scraped.
/// </summary>
internal sealed class MemberMetrics
{
    // etcd's buckets for disk latencies: prometheus.ExponentialBuckets(0.001, 2, 14).
    private static readonly double[] DiskBuckets = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192];

    private readonly Meter _meter;
    private readonly Histogram<double> _walFsync;
    private readonly Histogram<double> _backendCommit;
    private readonly Histogram<double> _snapshotSave;
    private long _leaderChanges;
    private long _proposalsFailed;
    private long _committedIndex;
    private long _readIndexesFailed;
    private long _slowApplies;
    private long _slowReadIndexes;

    // etcd's warning threshold for one apply (its warnApplyDuration).
    private static readonly long SlowApplyTicks = TimeSpan.FromMilliseconds(100).Ticks;

    public MemberMetrics(Meter meter)
    {
        _meter = meter;
        _walFsync = meter.CreateHistogram("etcd_disk_wal_fsync_duration_seconds", "s", "The latency distributions of fsync called by WAL.", null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DiskBuckets });
        _backendCommit = meter.CreateHistogram("etcd_disk_backend_commit_duration_seconds", "s", "The latency distributions of commit called by backend.", null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DiskBuckets });
        _snapshotSave = meter.CreateHistogram("etcd_debugging_snap_save_total_duration_seconds", "s", "The total latency distributions of save called by snapshot.", null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DiskBuckets });
        Mvcc = new MvccMetrics(meter);
        Maintenance = new MaintenanceMetrics(meter);
        meter.CreateObservableCounter("etcd_server_slow_apply_total", () => Volatile.Read(ref _slowApplies), description: "The total number of slow apply requests (likely overloaded from slow disk).");
        meter.CreateObservableCounter("etcd_server_slow_read_indexes_total", () => Volatile.Read(ref _slowReadIndexes), description: "The total number of pending read indexes not in sync with leader's or timed out read index requests.");

        // A member of a one-member cluster sends no heartbeats, receives no snapshots and promotes no learners.
        meter.CreateObservableCounter("etcd_server_heartbeat_send_failures_total", () => 0L, description: "The total number of leader heartbeat send failures (likely overloaded from slow disk).");
        meter.CreateObservableGauge("etcd_server_snapshot_apply_in_progress_total", () => 0L, description: "1 if the server is applying the incoming snapshot. 0 if none.");
        meter.CreateObservableCounter("etcd_server_learner_promote_successes", () => 0L, description: "The total number of successful learner promotions while this member is leader.");

        // etcd's label carries the Go version it was built with; Kvasir's carries the .NET runtime's.
        meter.CreateObservableGauge("etcd_server_go_version", () => new Measurement<long>(1, new KeyValuePair<string, object?>("server_go_version", System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription)), description: "Which Go version server is running with. 1 for 'server_go_version' label with current version.");
    }

    /// <summary>Registers the observed instruments, read from <paramref name="member"/> at scrape time.</summary>
    public void Register(Meter meter, MemberServer member)
    {
        meter.CreateObservableGauge("etcd_server_has_leader", () => member.LeaderId != 0 ? 1 : 0, description: "Whether or not a leader exists. 1 is existence, 0 is not.");
        meter.CreateObservableGauge("etcd_server_is_leader", () => member.IsLeader ? 1 : 0, description: "Whether or not this member is a leader. 1 if is, 0 otherwise.");
        meter.CreateObservableGauge("etcd_server_is_learner", () => 0, description: "Whether or not this member is a learner. 1 if is, 0 otherwise.");
        meter.CreateObservableCounter("etcd_server_leader_changes_seen_total", () => Volatile.Read(ref _leaderChanges), description: "The number of leader changes seen.");
        meter.CreateObservableGauge("etcd_server_proposals_committed_total", () => Volatile.Read(ref _committedIndex), description: "The total number of consensus proposals committed.");
        meter.CreateObservableGauge("etcd_server_proposals_applied_total", () => (long)member.AppliedIndex, description: "The total number of consensus proposals applied.");
        meter.CreateObservableGauge("etcd_server_proposals_pending", () => member.PendingProposals, description: "The current number of pending proposals to commit.");
        meter.CreateObservableCounter("etcd_server_proposals_failed_total", () => Volatile.Read(ref _proposalsFailed), description: "The total number of failed proposals seen.");
        meter.CreateObservableCounter("etcd_server_read_indexes_failed_total", () => Volatile.Read(ref _readIndexesFailed), description: "The total number of failed read indexes seen.");
        meter.CreateObservableGauge("etcd_server_quota_backend_bytes", () => member.Quota.QuotaBytes, description: "Current backend storage quota size in bytes.");
        meter.CreateObservableGauge("etcd_server_version", () => new Measurement<long>(1, new KeyValuePair<string, object?>("server_version", VersionInfo.EtcdServer)), description: "Which version is running. 1 for 'server_version' label with current version.");
        meter.CreateObservableGauge("etcd_cluster_version", () => new Measurement<long>(1, new KeyValuePair<string, object?>("cluster_version", VersionInfo.EtcdCluster[..VersionInfo.EtcdCluster.LastIndexOf('.')])), description: "Which version is running. 1 for 'cluster_version' label with current cluster version");
        meter.CreateObservableGauge("etcd_server_id", () => new Measurement<long>(1, new KeyValuePair<string, object?>("server_id", MemberIds.Hex(member.MemberId))), description: "Server or member ID in hexadecimal format. 1 for 'server_id' label with current ID.");
        meter.CreateObservableGauge("etcd_mvcc_db_total_size_in_bytes", () => member.DbSize, description: "Total size of the underlying database physically allocated in bytes.");
        meter.CreateObservableGauge("etcd_debugging_mvcc_db_total_size_in_bytes", () => member.DbSize, description: "Total size of the underlying database physically allocated in bytes.");
        meter.CreateObservableGauge("etcd_mvcc_db_total_size_in_use_in_bytes", () => member.DbSizeInUse, description: "Total size of the underlying database logically in use in bytes.");
        meter.CreateObservableGauge("etcd_debugging_mvcc_current_revision", () => member.Store.CurrentRevision, description: "The current revision of store.");
        meter.CreateObservableGauge("etcd_debugging_mvcc_compact_revision", () => Math.Max(0, member.Store.CompactRevision), description: "The revision of the last compaction in store.");
        meter.CreateObservableGauge("etcd_disk_wal_write_bytes_total", () => member.WalBytesWritten, description: "Total number of bytes written in WAL.");
        var all = ByteString.CopyFrom(0);
        var live = member.Store.Range(new RangeRequest { Key = all, RangeEnd = all, CountOnly = true });
        Mvcc.SetLiveKeys(live.Ok ? live.Response!.Count : 0);
        meter.CreateObservableGauge("etcd_server_alarms_active", () => member.Alarms.Get().Count, description: "Kvasir: the number of active alarms.");
    }

    public void WalFsync(TimeSpan elapsed) => _walFsync.Record(elapsed.TotalSeconds);

    public void BackendCommit(TimeSpan elapsed) => _backendCommit.Record(elapsed.TotalSeconds);

    public void SnapshotTaken(TimeSpan elapsed) => _snapshotSave.Record(elapsed.TotalSeconds);

    public void LeaderChanged() => Interlocked.Increment(ref _leaderChanges);

    public void ProposalsFailed(int count)
    {
        if (count > 0)
        {
            Interlocked.Add(ref _proposalsFailed, count);
        }
    }

    public void ReadIndexFailed() => Interlocked.Increment(ref _readIndexesFailed);

    /// <summary>A read index that timed out or came back from an older term (etcd's slowReadIndex).</summary>
    public void SlowReadIndex() => Interlocked.Increment(ref _slowReadIndexes);

    /// <summary>etcd's mvcc operation counters.</summary>
    public MvccMetrics Mvcc { get; }

    /// <summary>etcd's hash, defragment and snapshot metrics.</summary>
    public MaintenanceMetrics Maintenance { get; }

    /// <summary>One applied request: counts its mvcc operations, and a slow apply beyond etcd's 100 ms.</summary>
    public void Applied(InternalRaftRequest request, AppliedResult result, TimeSpan elapsed)
    {
        if (elapsed.Ticks > SlowApplyTicks)
        {
            Interlocked.Increment(ref _slowApplies);
        }

        if (result.Error is not null)
        {
            return;
        }

        switch (request.RequestCase())
        {
            case RequestKind.Put:
                Mvcc.Put(request.Put);
                break;
            case RequestKind.DeleteRange:
                Mvcc.Delete();
                break;
            case RequestKind.Txn:
                Mvcc.Txn(request.Txn, result.Response as TxnResponse);
                break;
            case RequestKind.Range:
                Mvcc.Range();
                break;
        }
    }

    public void Committed(ulong index) => Volatile.Write(ref _committedIndex, (long)index);

    /// <summary>The meter the instruments live on.</summary>
    public Meter Meter => _meter;
}

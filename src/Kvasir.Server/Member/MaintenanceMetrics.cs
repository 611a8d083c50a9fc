using System.Diagnostics.Metrics;
using Kvasir.Server.Lease;

namespace Kvasir.Server.Member;

/// <summary>
/// etcd's metrics of the maintenance operations, with etcd's buckets: <c>etcd_mvcc_hash_duration_seconds</c>
/// (Hash), <c>etcd_mvcc_hash_rev_duration_seconds</c> (HashKV), <c>etcd_disk_backend_defrag_duration_seconds</c>
/// and <c>etcd_disk_defrag_inflight</c> (Defragment), <c>etcd_disk_backend_snapshot_duration_seconds</c>
/// (writing the backend image of a Snapshot stream).
/// </summary>
internal sealed class MaintenanceMetrics
{
    private readonly Histogram<double> _hash;
    private readonly Histogram<double> _hashRev;
    private readonly Histogram<double> _defrag;
    private readonly Histogram<double> _snapshot;
    private long _defragInflight;

    public MaintenanceMetrics(Meter meter)
    {
        _hash = meter.CreateHistogram("etcd_mvcc_hash_duration_seconds", "s", "The latency distribution of storage hash operation.", null, Buckets(.01, 2, 15));
        _hashRev = meter.CreateHistogram("etcd_mvcc_hash_rev_duration_seconds", "s", "The latency distribution of storage hash by revision operation.", null, Buckets(.01, 2, 15));
        _defrag = meter.CreateHistogram("etcd_disk_backend_defrag_duration_seconds", "s", "The latency distribution of backend defragmentation.", null, Buckets(.1, 2, 13));
        _snapshot = meter.CreateHistogram("etcd_disk_backend_snapshot_duration_seconds", "s", "The latency distribution of backend snapshots.", null, Buckets(.01, 2, 17));
        meter.CreateObservableGauge("etcd_disk_defrag_inflight", () => Volatile.Read(ref _defragInflight) > 0 ? 1 : 0, description: "Whether or not defrag is active on the member. 1 means active, 0 means not.");
    }

    public void Hashed(TimeSpan elapsed) => _hash.Record(elapsed.TotalSeconds);

    public void HashedRevision(TimeSpan elapsed) => _hashRev.Record(elapsed.TotalSeconds);

    public void DefragStarted() => Interlocked.Increment(ref _defragInflight);

    public void DefragEnded(TimeSpan elapsed)
    {
        Interlocked.Decrement(ref _defragInflight);
        _defrag.Record(elapsed.TotalSeconds);
    }

    public void SnapshotWritten(TimeSpan elapsed) => _snapshot.Record(elapsed.TotalSeconds);

    private static InstrumentAdvice<double> Buckets(double start, double factor, int count) =>
        new() { HistogramBucketBoundaries = LessorMetrics.ExponentialBuckets(start, factor, count) };
}

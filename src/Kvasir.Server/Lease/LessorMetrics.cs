using System.Diagnostics.Metrics;

namespace Kvasir.Server.Lease;

/// <summary>
/// etcd's lessor metrics (its lease/metrics.go and etcdserver's <c>lease_expired_total</c>), counted by the
/// lessor and observed at scrape time: <c>etcd_debugging_lease_granted_total</c>, <c>_revoked_total</c>
/// (grants and revokes applied, on every member), <c>_renewed_total</c> (renewals on the leader),
/// <c>etcd_debugging_lease_ttl_total</c> (the granted TTLs, etcd's buckets 1 s × 2^0..23) and
/// <c>etcd_debugging_server_lease_expired_total</c> (expired leases whose revoke the leader got applied).
/// A count is one atomic add.
/// </summary>
internal sealed class LessorMetrics
{
    private static readonly double[] TtlBuckets = ExponentialBuckets(1, 2, 24);

    private readonly Histogram<double> _ttl;
    private long _granted;
    private long _revoked;
    private long _renewed;
    private long _expired;

    public LessorMetrics(Meter meter)
    {
        meter.CreateObservableCounter("etcd_debugging_lease_granted_total", () => Volatile.Read(ref _granted), description: "The total number of granted leases.");
        meter.CreateObservableCounter("etcd_debugging_lease_revoked_total", () => Volatile.Read(ref _revoked), description: "The total number of revoked leases.");
        meter.CreateObservableCounter("etcd_debugging_lease_renewed_total", () => Volatile.Read(ref _renewed), description: "The number of renewed leases seen by the leader.");
        meter.CreateObservableCounter("etcd_debugging_server_lease_expired_total", () => Volatile.Read(ref _expired), description: "The total number of expired leases.");
        _ttl = meter.CreateHistogram("etcd_debugging_lease_ttl_total", null, "Bucketed histogram of lease TTLs.", null, new InstrumentAdvice<double> { HistogramBucketBoundaries = TtlBuckets });
    }

    public void Granted(long ttlSeconds)
    {
        Interlocked.Increment(ref _granted);
        _ttl.Record(ttlSeconds);
    }

    public void Revoked() => Interlocked.Increment(ref _revoked);

    public void Renewed() => Interlocked.Increment(ref _renewed);

    public void Expired() => Interlocked.Increment(ref _expired);

    /// <summary>Prometheus' ExponentialBuckets: <paramref name="count"/> bounds from <paramref name="start"/>, each <paramref name="factor"/> times the last.</summary>
    internal static double[] ExponentialBuckets(double start, double factor, int count)
    {
        var buckets = new double[count];
        for (var i = 0; i < count; i++)
        {
            buckets[i] = start;
            start *= factor;
        }

        return buckets;
    }
}

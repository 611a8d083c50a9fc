using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Server.Member;

/// <summary>
/// etcd's backend quota (--quota-backend-bytes): a write that would take the database past the
/// quota is refused with <c>database space exceeded</c> and raises the NOSPACE alarm. The cost of
/// a request is etcd's estimate: 256 bytes of overhead plus key and value for each put (the larger
/// branch of a txn), 64 bytes for a lease. A negative quota turns the check off; 0 means 2 GiB.
/// Thread-safe; the database size is the member's last sample.
/// </summary>
public sealed class BackendQuota
{
    /// <summary>etcd's default quota: 2 GiB.</summary>
    public const long DefaultBytes = 2L * 1024 * 1024 * 1024;

    private const int KvOverhead = 256;
    private const int LeaseOverhead = 64;

    private readonly Func<long> _dbSize;

    public BackendQuota(long configuredBytes, Func<long> dbSize)
    {
        ArgumentNullException.ThrowIfNull(dbSize);
        Enabled = configuredBytes >= 0;
        QuotaBytes = configuredBytes > 0 ? configuredBytes : DefaultBytes;
        _dbSize = dbSize;
    }

    /// <summary>False when --quota-backend-bytes is negative (etcd's way of turning it off).</summary>
    public bool Enabled { get; }

    /// <summary>The quota in force, in bytes.</summary>
    public long QuotaBytes { get; }

    /// <summary>Bytes left before the quota.</summary>
    public long Remaining => QuotaBytes - _dbSize();

    public bool Available(PutRequest request) => Fits(Cost(request));

    public bool Available(TxnRequest request) => Fits(Cost(request));

    public bool Available(LeaseGrantRequest request) => Fits(LeaseOverhead);

    public static int Cost(PutRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return KvOverhead + request.Key.Length + request.Value.Length;
    }

    /// <summary>The cost of the branch of <paramref name="request"/> that puts more; 0 for a txn without puts.</summary>
    public static int Cost(TxnRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Math.Max(BranchCost(request.Success), BranchCost(request.Failure));
    }

    private static int BranchCost(Google.Protobuf.Collections.RepeatedField<RequestOp> ops)
    {
        var cost = 0;
        foreach (var op in ops)
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestPut)
            {
                cost += Cost(op.RequestPut);
            }
        }

        return cost;
    }

    // A request that writes nothing always fits (etcd passes it through).
    private bool Fits(int cost) => !Enabled || cost == 0 || _dbSize() + cost < QuotaBytes;
}

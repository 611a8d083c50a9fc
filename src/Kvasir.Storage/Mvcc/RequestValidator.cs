using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// etcd's checks of KV requests before they go through Raft (v3rpc's checkRangeRequest, checkPutRequest,
/// checkDeleteRequest, checkTxnRequest and checkIntervals), with etcd's errors. The API layer calls them
/// to answer a bad request at once; the store calls them again when it applies, so a bad request that
/// reached the log still changes nothing.
/// </summary>
public static partial class RequestValidator
{
    /// <summary>Key not provided; an unknown sort order or target (etcd 3.6's check: 3.4 would crash on it).</summary>
    public static EtcdError? CheckRange(RangeRequest r)
    {
        if (r.Key.Length == 0)
        {
            return EtcdErrors.EmptyKey;
        }

        if ((uint)r.SortOrder > (uint)RangeRequest.Types.SortOrder.Descend || (uint)r.SortTarget > (uint)RangeRequest.Types.SortTarget.Value)
        {
            return EtcdErrors.InvalidSortOption;
        }

        return null;
    }

    /// <summary>Key not provided; a value with ignore_value; a lease with ignore_lease.</summary>
    public static EtcdError? CheckPut(PutRequest r)
    {
        if (r.Key.Length == 0)
        {
            return EtcdErrors.EmptyKey;
        }

        if (r.IgnoreValue && r.Value.Length != 0)
        {
            return EtcdErrors.ValueProvided;
        }

        if (r.IgnoreLease && r.Lease != 0)
        {
            return EtcdErrors.LeaseProvided;
        }

        return null;
    }

    /// <summary>Key not provided.</summary>
    public static EtcdError? CheckDelete(DeleteRangeRequest r) => r.Key.Length == 0 ? EtcdErrors.EmptyKey : null;

    /// <summary>
    /// The whole of etcd's Txn validation: the operation counts and keys (checkTxnRequest), then the
    /// overlap of puts and deletes in each branch (checkIntervals on success, then on failure).
    /// </summary>
    public static EtcdError? CheckTxn(TxnRequest r, int maxTxnOps)
    {
        if (CheckTxnRequest(r, maxTxnOps) is { } e)
        {
            return e;
        }

        if (CheckIntervals(r.Success, out _, out _) is { } s)
        {
            return s;
        }

        return CheckIntervals(r.Failure, out _, out _);
    }

    private static EtcdError? CheckTxnRequest(TxnRequest r, int maxTxnOps)
    {
        var opc = Math.Max(r.Compare.Count, Math.Max(r.Success.Count, r.Failure.Count));
        if (opc > maxTxnOps)
        {
            return EtcdErrors.TooManyOps;
        }

        foreach (var c in r.Compare)
        {
            if (c.Key.Length == 0)
            {
                return EtcdErrors.EmptyKey;
            }
        }

        // Nested txns get what is left of the budget, as etcd counts it.
        foreach (var u in r.Success)
        {
            if (CheckRequestOp(u, maxTxnOps - opc) is { } e)
            {
                return e;
            }
        }

        foreach (var u in r.Failure)
        {
            if (CheckRequestOp(u, maxTxnOps - opc) is { } e)
            {
                return e;
            }
        }

        return null;
    }

    private static EtcdError? CheckRequestOp(RequestOp u, int maxTxnOps) => u.RequestCase switch
    {
        RequestOp.RequestOneofCase.RequestRange => CheckRange(u.RequestRange),
        RequestOp.RequestOneofCase.RequestPut => CheckPut(u.RequestPut),
        RequestOp.RequestOneofCase.RequestDeleteRange => CheckDelete(u.RequestDeleteRange),
        RequestOp.RequestOneofCase.RequestTxn => CheckTxnRequest(u.RequestTxn, maxTxnOps),
        _ => EtcdErrors.KeyNotFound,
    };
}

using Google.Protobuf;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using CompareResult = Kvasir.Api.Etcdserverpb.Compare.Types.CompareResult;
using CompareTarget = Kvasir.Api.Etcdserverpb.Compare.Types.CompareTarget;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// Txn with etcd's applier semantics: every compare of the whole tree of nested txns is evaluated first,
/// against the store before the txn; then the chosen branches are checked (ignore_value / ignore_lease on
/// missing keys, unknown leases, range revisions); then they are applied as one write transaction.
/// </summary>
public sealed partial class MvccStore
{
    /// <summary>
    /// Applies etcd's Txn for the entry at <paramref name="raftIndex"/>. Errors: the request's own (too
    /// many operations, duplicate key, key not provided, key not found for an empty operation), and those
    /// of its chosen branches (key not found, requested lease not found, compacted, future revision).
    /// </summary>
    public ApplyResult<TxnResponse> Txn(TxnRequest request, long raftIndex, ILeaseLookup? leases = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var tx = BeginWrite(raftIndex);
        try
        {
            if (RequestValidator.CheckTxn(request, _options.MaxTxnOps) is { } invalid)
            {
                return Refuse<TxnResponse>(tx, invalid);
            }

            var state = _state;
            var loader = new ValueLoader(_backend, state.Buffer, applier: true);
            var path = new List<bool>();
            ComparePath(request, state.CurrentRev, state.CompactRev, ref loader, path);
            var pos = 0;
            if (!IsReadOnly(request) && CheckOps(request, path, ref pos, state, ref loader, leases, puts: true) is { } putError)
            {
                return Refuse<TxnResponse>(tx, putError);
            }

            pos = 0;
            if (CheckOps(request, path, ref pos, state, ref loader, leases, puts: false) is { } rangeError)
            {
                return Refuse<TxnResponse>(tx, rangeError);
            }

            pos = 0;
            var resp = ApplyTxn(tx, request, path, ref pos);
            var revision = tx.Revision;
            var write = tx.End();
            resp.Header = new ResponseHeader { Revision = revision };
            return new ApplyResult<TxnResponse>(resp, write);
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            Fail(e);
            throw;
        }
    }

    /// <summary>
    /// Serves a read-only txn (only ranges, no nested txns: etcd's test for serving a txn without Raft)
    /// from any thread, as of the latest revision. Throws <see cref="ArgumentException"/> for a txn that
    /// writes. Errors: as for <see cref="Txn"/>.
    /// </summary>
    public ReadResult<TxnResponse> TxnRead(TxnRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsReadOnly(request))
        {
            throw new ArgumentException("the txn writes: apply it through Raft with Txn", nameof(request));
        }

        if (RequestValidator.CheckTxn(request, _options.MaxTxnOps) is { } invalid)
        {
            return invalid;
        }

        EnterRead();
        try
        {
            var state = Volatile.Read(ref _state);
            var loader = new ValueLoader(_backend, state.Buffer, applier: false);
            try
            {
                var path = new List<bool>();
                ComparePath(request, state.CurrentRev, state.CompactRev, ref loader, path);
                var pos = 0;
                if (CheckOps(request, path, ref pos, state, ref loader, null, puts: false) is { } rangeError)
                {
                    return rangeError;
                }

                var resp = new TxnResponse { Succeeded = path[0], Header = new ResponseHeader { Revision = state.CurrentRev } };
                foreach (var op in path[0] ? request.Success : request.Failure)
                {
                    var rr = RangeCore(op.RequestRange, state.CurrentRev, state.CompactRev, ref loader);
                    if (rr.Error is { } error)
                    {
                        return error;
                    }

                    resp.Responses.Add(new ResponseOp { ResponseRange = rr.Response });
                }

                return new ReadResult<TxnResponse>(resp);
            }
            finally
            {
                loader.Dispose();
            }
        }
        finally
        {
            ExitRead();
        }
    }

    /// <summary>etcd's isTxnReadonly: every operation of both branches is a range.</summary>
    public static bool IsReadOnly(TxnRequest request)
    {
        foreach (var op in request.Success)
        {
            if (op.RequestCase != RequestOp.RequestOneofCase.RequestRange)
            {
                return false;
            }
        }

        foreach (var op in request.Failure)
        {
            if (op.RequestCase != RequestOp.RequestOneofCase.RequestRange)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Evaluates the compares of the txn and of every nested txn in its chosen branch, in pre-order.</summary>
    private void ComparePath(TxnRequest rt, long curRev, long compactRev, ref ValueLoader loader, List<bool> path)
    {
        var succeeded = true;
        foreach (var c in rt.Compare)
        {
            if (!ApplyCompare(c, curRev, compactRev, ref loader))
            {
                succeeded = false;
                break;
            }
        }

        path.Add(succeeded);
        foreach (var op in succeeded ? rt.Success : rt.Failure)
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestTxn)
            {
                ComparePath(op.RequestTxn, curRev, compactRev, ref loader, path);
            }
        }
    }

    private bool ApplyCompare(Compare c, long curRev, long compactRev, ref ValueLoader loader)
    {
        var rr = RangeCore(new RangeRequest { Key = c.Key, RangeEnd = c.RangeEnd }, curRev, compactRev, ref loader);
        if (rr.Response is not { } resp)
        {
            return false;
        }

        if (resp.Kvs.Count == 0)
        {
            // A missing key has no value to compare: nil and empty are the same on the wire.
            return c.Target != CompareTarget.Value && CompareKv(c, new KeyValue());
        }

        foreach (var kv in resp.Kvs)
        {
            if (!CompareKv(c, kv))
            {
                return false;
            }
        }

        return true;
    }

    private static bool CompareKv(Compare c, KeyValue kv)
    {
        int result;
        switch (c.Target)
        {
            case CompareTarget.Value:
                var v = c.TargetUnionCase == Compare.TargetUnionOneofCase.Value ? c.Value : ByteString.Empty;
                result = kv.Value.Span.SequenceCompareTo(v.Span);
                break;
            case CompareTarget.Create:
                result = kv.CreateRevision.CompareTo(c.TargetUnionCase == Compare.TargetUnionOneofCase.CreateRevision ? c.CreateRevision : 0);
                break;
            case CompareTarget.Mod:
                result = kv.ModRevision.CompareTo(c.TargetUnionCase == Compare.TargetUnionOneofCase.ModRevision ? c.ModRevision : 0);
                break;
            case CompareTarget.Version:
                result = kv.Version.CompareTo(c.TargetUnionCase == Compare.TargetUnionOneofCase.Version ? c.Version : 0);
                break;
            case CompareTarget.Lease:
                result = kv.Lease.CompareTo(c.TargetUnionCase == Compare.TargetUnionOneofCase.Lease ? c.Lease : 0);
                break;
            default:
                result = 0;
                break;
        }

        return c.Result switch
        {
            CompareResult.Equal => result == 0,
            CompareResult.NotEqual => result != 0,
            CompareResult.Greater => result > 0,
            CompareResult.Less => result < 0,
            _ => true,
        };
    }

    /// <summary>etcd's checkRequests: the puts (puts=true) or the ranges of the chosen branches.</summary>
    private EtcdError? CheckOps(TxnRequest rt, List<bool> path, ref int pos, ReadState state, ref ValueLoader loader, ILeaseLookup? leases, bool puts)
    {
        var ops = path[pos++] ? rt.Success : rt.Failure;
        foreach (var op in ops)
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestTxn)
            {
                if (CheckOps(op.RequestTxn, path, ref pos, state, ref loader, leases, puts) is { } nested)
                {
                    return nested;
                }

                continue;
            }

            if (puts && op.RequestCase == RequestOp.RequestOneofCase.RequestPut)
            {
                var p = op.RequestPut;
                if ((p.IgnoreValue || p.IgnoreLease) && !_index.TryGet(p.Key.Span, state.CurrentRev, out _, out _, out _))
                {
                    return EtcdErrors.KeyNotFound;
                }

                if (p.Lease != 0 && leases is not null && !leases.Exists(p.Lease))
                {
                    return EtcdErrors.LeaseNotFound;
                }
            }
            else if (!puts && op.RequestCase == RequestOp.RequestOneofCase.RequestRange)
            {
                var r = op.RequestRange;
                if (r.Revision != 0 && r.Revision > state.CurrentRev)
                {
                    return EtcdErrors.FutureRev;
                }

                // etcd compares with the compacted revision as it is (-1 before any compaction), so a
                // negative revision in a txn's range is always "compacted".
                if (r.Revision != 0 && r.Revision < state.CompactRev)
                {
                    return EtcdErrors.Compacted;
                }
            }
        }

        return null;
    }

    /// <summary>etcd's applyTxn: runs the chosen branch's operations in the write transaction.</summary>
    private TxnResponse ApplyTxn(MvccWriteTxn tx, TxnRequest rt, List<bool> path, ref int pos)
    {
        var succeeded = path[pos++];
        var resp = new TxnResponse { Succeeded = succeeded, Header = new ResponseHeader() };
        foreach (var op in succeeded ? rt.Success : rt.Failure)
        {
            switch (op.RequestCase)
            {
                case RequestOp.RequestOneofCase.RequestRange:
                    var rr = tx.Range(op.RequestRange);
                    resp.Responses.Add(new ResponseOp { ResponseRange = rr.Response ?? throw Unexpected(rr.Error) });
                    break;
                case RequestOp.RequestOneofCase.RequestPut:
                    var put = new PutResponse();
                    if (!ApplyPut(tx, op.RequestPut, put, out var error))
                    {
                        throw Unexpected(error);
                    }

                    resp.Responses.Add(new ResponseOp { ResponsePut = put });
                    break;
                case RequestOp.RequestOneofCase.RequestDeleteRange:
                    resp.Responses.Add(new ResponseOp { ResponseDeleteRange = ApplyDeleteRange(tx, op.RequestDeleteRange) });
                    break;
                case RequestOp.RequestOneofCase.RequestTxn:
                    resp.Responses.Add(new ResponseOp { ResponseTxn = ApplyTxn(tx, op.RequestTxn, path, ref pos) });
                    break;
            }
        }

        return resp;
    }

    private static InvalidOperationException Unexpected(EtcdError? error) =>
        new($"unexpected error inside a checked txn: {error}");
}

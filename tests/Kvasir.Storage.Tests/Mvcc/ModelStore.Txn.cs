using Google.Protobuf;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Storage.Tests.Mvcc;

/// <summary>The model's Txn: all compares first on the state before the txn, then checks, then the chosen branches.</summary>
internal sealed partial class ModelStore
{
    public TxnResponse? Txn(TxnRequest t, out EtcdError? error)
    {
        var pre = _states[^1];
        var path = new List<bool>();
        Path(t, pre, path);
        var pos = 0;
        error = MvccStore.IsReadOnly(t) ? null : CheckPuts(t, path, ref pos, pre);
        if (error is null)
        {
            pos = 0;
            error = CheckRanges(t, path, ref pos);
        }

        if (error is not null)
        {
            return null;
        }

        var w = new Working(this);
        pos = 0;
        var resp = Apply(w, t, path, ref pos);
        resp.Header = new ResponseHeader { Revision = w.Rev };
        w.Commit();
        return resp;
    }

    private void Path(TxnRequest t, SortedDictionary<string, KeyValue> pre, List<bool> path)
    {
        var ok = t.Compare.All(c => Holds(c, pre));
        path.Add(ok);
        foreach (var op in ok ? t.Success : t.Failure)
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestTxn)
            {
                Path(op.RequestTxn, pre, path);
            }
        }
    }

    private static bool Holds(Compare c, SortedDictionary<string, KeyValue> state)
    {
        var range = new KeyRange(c.Key, c.RangeEnd);
        var kvs = state.Values.Where(kv => range.Contains(kv.Key.Span)).ToList();
        if (kvs.Count == 0)
        {
            if (c.Target == Compare.Types.CompareTarget.Value)
            {
                return false;
            }

            kvs.Add(new KeyValue());
        }

        return kvs.All(kv =>
        {
            var r = c.Target switch
            {
                Compare.Types.CompareTarget.Value => string.CompareOrdinal(S(kv.Value), S(c.TargetUnionCase == Compare.TargetUnionOneofCase.Value ? c.Value : ByteString.Empty)),
                Compare.Types.CompareTarget.Create => kv.CreateRevision.CompareTo(c.TargetUnionCase == Compare.TargetUnionOneofCase.CreateRevision ? c.CreateRevision : 0),
                Compare.Types.CompareTarget.Mod => kv.ModRevision.CompareTo(c.TargetUnionCase == Compare.TargetUnionOneofCase.ModRevision ? c.ModRevision : 0),
                Compare.Types.CompareTarget.Version => kv.Version.CompareTo(c.TargetUnionCase == Compare.TargetUnionOneofCase.Version ? c.Version : 0),
                _ => kv.Lease.CompareTo(c.TargetUnionCase == Compare.TargetUnionOneofCase.Lease ? c.Lease : 0),
            };
            return c.Result switch
            {
                Compare.Types.CompareResult.Equal => r == 0,
                Compare.Types.CompareResult.NotEqual => r != 0,
                Compare.Types.CompareResult.Greater => r > 0,
                _ => r < 0,
            };
        });
    }

    private static EtcdError? CheckPuts(TxnRequest t, List<bool> path, ref int pos, SortedDictionary<string, KeyValue> pre)
    {
        foreach (var op in path[pos++] ? t.Success : t.Failure)
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestTxn)
            {
                if (CheckPuts(op.RequestTxn, path, ref pos, pre) is { } e)
                {
                    return e;
                }
            }
            else if (op.RequestCase == RequestOp.RequestOneofCase.RequestPut &&
                     (op.RequestPut.IgnoreValue || op.RequestPut.IgnoreLease) && !pre.ContainsKey(S(op.RequestPut.Key)))
            {
                return EtcdErrors.KeyNotFound;
            }
        }

        return null;
    }

    private EtcdError? CheckRanges(TxnRequest t, List<bool> path, ref int pos)
    {
        foreach (var op in path[pos++] ? t.Success : t.Failure)
        {
            if (op.RequestCase == RequestOp.RequestOneofCase.RequestTxn)
            {
                if (CheckRanges(op.RequestTxn, path, ref pos) is { } e)
                {
                    return e;
                }
            }
            else if (op.RequestCase == RequestOp.RequestOneofCase.RequestRange && op.RequestRange.Revision != 0)
            {
                if (op.RequestRange.Revision > CurrentRev)
                {
                    return EtcdErrors.FutureRev;
                }

                if (op.RequestRange.Revision < CompactRev)
                {
                    return EtcdErrors.Compacted;
                }
            }
        }

        return null;
    }

    private static TxnResponse Apply(Working w, TxnRequest t, List<bool> path, ref int pos)
    {
        var ok = path[pos++];
        var resp = new TxnResponse { Succeeded = ok, Header = new ResponseHeader() };
        foreach (var op in ok ? t.Success : t.Failure)
        {
            resp.Responses.Add(op.RequestCase switch
            {
                RequestOp.RequestOneofCase.RequestRange => new ResponseOp { ResponseRange = w.Range(op.RequestRange) },
                RequestOp.RequestOneofCase.RequestPut => new ResponseOp { ResponsePut = w.Put(op.RequestPut) },
                RequestOp.RequestOneofCase.RequestDeleteRange => new ResponseOp { ResponseDeleteRange = w.Delete(op.RequestDeleteRange) },
                _ => new ResponseOp { ResponseTxn = Apply(w, op.RequestTxn, path, ref pos) },
            });
        }

        return resp;
    }
}

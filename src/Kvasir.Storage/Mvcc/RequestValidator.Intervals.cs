using Google.Protobuf;
using Google.Protobuf.Collections;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// etcd's checkIntervals: within one branch, no key may be put twice, nor put and deleted, counting the
/// puts and deletes of nested txns (a key put in both branches of one nested txn is fine: only one runs).
/// Intervals compare as etcd's "affine" strings, where an empty end is above every key; a delete's range
/// end "\0" is taken literally (below every key), so such a delete never conflicts, exactly as in etcd.
/// </summary>
public static partial class RequestValidator
{
    private static EtcdError? CheckIntervals(RepeatedField<RequestOp> reqs, out HashSet<ByteString> puts, out List<(ByteString Begin, ByteString End)> dels)
    {
        puts = [];
        dels = [];
        foreach (var req in reqs)
        {
            if (req.RequestCase != RequestOp.RequestOneofCase.RequestDeleteRange)
            {
                continue;
            }

            var d = req.RequestDeleteRange;
            dels.Add(d.RangeEnd.Length != 0 ? (d.Key, d.RangeEnd) : (d.Key, PointEnd(d.Key)));
        }

        foreach (var req in reqs)
        {
            if (req.RequestCase != RequestOp.RequestOneofCase.RequestTxn)
            {
                continue;
            }

            if (CheckIntervals(req.RequestTxn.Success, out var putsThen, out var delsThen) is { } e1)
            {
                return e1;
            }

            if (CheckIntervals(req.RequestTxn.Failure, out var putsElse, out var delsElse) is { } e2)
            {
                return e2;
            }

            foreach (var k in putsThen)
            {
                if (puts.Contains(k) || Intersects(dels, k))
                {
                    return EtcdErrors.DuplicateKey;
                }

                puts.Add(k);
            }

            foreach (var k in putsElse)
            {
                if ((puts.Contains(k) && !putsThen.Contains(k)) || Intersects(dels, k))
                {
                    return EtcdErrors.DuplicateKey;
                }

                puts.Add(k);
            }

            dels.AddRange(delsThen);
            dels.AddRange(delsElse);
        }

        foreach (var req in reqs)
        {
            if (req.RequestCase != RequestOp.RequestOneofCase.RequestPut)
            {
                continue;
            }

            var k = req.RequestPut.Key;
            if (puts.Contains(k) || Intersects(dels, k))
            {
                return EtcdErrors.DuplicateKey;
            }

            puts.Add(k);
        }

        return null;
    }

    /// <summary>True when key <paramref name="k"/> falls in one of the intervals [begin, end).</summary>
    private static bool Intersects(List<(ByteString Begin, ByteString End)> dels, ByteString k)
    {
        foreach (var (begin, end) in dels)
        {
            if (k.Span.SequenceCompareTo(begin.Span) >= 0 && (end.Length == 0 || k.Span.SequenceCompareTo(end.Span) < 0))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The end of the interval holding only <paramref name="key"/>: key followed by a zero byte.</summary>
    private static ByteString PointEnd(ByteString key)
    {
        var end = new byte[key.Length + 1];
        key.Span.CopyTo(end);
        return ByteString.CopyFrom(end);
    }
}

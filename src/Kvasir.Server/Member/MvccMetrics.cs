using System.Diagnostics.Metrics;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Server.Member;

/// <summary>
/// etcd's mvcc operation counters (its mvcc/metrics.go), under both the current names and the
/// <c>etcd_debugging_mvcc_*</c> aliases 3.4 still serves: ranges (every Range, and every compare of a
/// Txn, which etcd evaluates as a range), puts, deletes, txns (a Txn that ran more than one operation,
/// as etcd counts a write transaction) and <c>etcd_debugging_mvcc_total_put_size_in_bytes</c> (key plus
/// value bytes of every put). Writes are counted when applied, reads when served. Each count is an
/// atomic add; the instruments are observed at scrape time.
/// </summary>
internal sealed class MvccMetrics
{
    private long _ranges;
    private long _puts;
    private long _deletes;
    private long _txns;
    private long _putBytes;
    private long _liveKeys;

    public MvccMetrics(Meter meter)
    {
        foreach (var prefix in new[] { "etcd_mvcc_", "etcd_debugging_mvcc_" })
        {
            meter.CreateObservableCounter(prefix + "range_total", () => Volatile.Read(ref _ranges), description: "Total number of ranges seen by this member.");
            meter.CreateObservableCounter(prefix + "put_total", () => Volatile.Read(ref _puts), description: "Total number of puts seen by this member.");
            meter.CreateObservableCounter(prefix + "delete_total", () => Volatile.Read(ref _deletes), description: "Total number of deletes seen by this member.");
            meter.CreateObservableCounter(prefix + "txn_total", () => Volatile.Read(ref _txns), description: "Total number of txns seen by this member.");
        }

        meter.CreateObservableGauge("etcd_debugging_mvcc_keys_total", () => Volatile.Read(ref _liveKeys), description: "Total number of keys.");
        meter.CreateObservableGauge("etcd_debugging_mvcc_total_put_size_in_bytes", () => Volatile.Read(ref _putBytes), description: "The total size of put kv pairs seen by this member.");
    }

    public void Range() => Interlocked.Increment(ref _ranges);

    /// <summary>The live keys when the store opened (etcd's keys gauge counts keys that are not deleted).</summary>
    public void SetLiveKeys(long count) => Volatile.Write(ref _liveKeys, count);

    /// <summary>Follows the live keys through applied events: a put of version 1 creates a key, a delete removes one.</summary>
    public void KeysChanged(IReadOnlyList<Api.Mvccpb.Event> events)
    {
        long delta = 0;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Type == Api.Mvccpb.Event.Types.EventType.Delete)
            {
                delta--;
            }
            else if (e.Kv.Version == 1)
            {
                delta++;
            }
        }

        Add(ref _liveKeys, delta);
    }

    public void Put(PutRequest request)
    {
        Interlocked.Increment(ref _puts);
        Interlocked.Add(ref _putBytes, request.Key.Length + request.Value.Length);
    }

    public void Delete() => Interlocked.Increment(ref _deletes);

    /// <summary>Counts an applied Txn: its compares and the operations of the branch it took (nested ones too).</summary>
    public void Txn(TxnRequest request, TxnResponse? response)
    {
        long ranges = 0, puts = 0, deletes = 0, putBytes = 0;
        Count(request, response, ref ranges, ref puts, ref deletes, ref putBytes);
        if (ranges + puts + deletes > 1)
        {
            Interlocked.Increment(ref _txns);
        }

        Add(ref _ranges, ranges);
        Add(ref _puts, puts);
        Add(ref _deletes, deletes);
        Add(ref _putBytes, putBytes);
    }

    private static void Count(TxnRequest request, TxnResponse? response, ref long ranges, ref long puts, ref long deletes, ref long putBytes)
    {
        ranges += request.Compare.Count;
        if (response is null)
        {
            return;
        }

        var ops = response.Succeeded ? request.Success : request.Failure;
        for (var i = 0; i < ops.Count; i++)
        {
            var op = ops[i];
            switch (op.RequestCase)
            {
                case RequestOp.RequestOneofCase.RequestRange:
                    ranges++;
                    break;
                case RequestOp.RequestOneofCase.RequestPut:
                    puts++;
                    putBytes += op.RequestPut.Key.Length + op.RequestPut.Value.Length;
                    break;
                case RequestOp.RequestOneofCase.RequestDeleteRange:
                    deletes++;
                    break;
                case RequestOp.RequestOneofCase.RequestTxn:
                    var nested = i < response.Responses.Count ? response.Responses[i].ResponseTxn : null;
                    Count(op.RequestTxn, nested, ref ranges, ref puts, ref deletes, ref putBytes);
                    break;
            }
        }
    }

    private static void Add(ref long counter, long delta)
    {
        if (delta != 0)
        {
            Interlocked.Add(ref counter, delta);
        }
    }
}

using System.Text;
using Google.Protobuf;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Storage.Tests.Mvcc;

/// <summary>
/// A deliberately simple reference for the MVCC store: the whole key space is copied at every revision,
/// and every change is kept with its revision. It implements etcd's rules directly from the documentation
/// of the API (keys as Latin-1 strings, so ordinal string order is byte order).
/// </summary>
internal sealed partial class ModelStore
{
    private readonly List<SortedDictionary<string, KeyValue>> _states = [new(StringComparer.Ordinal), new(StringComparer.Ordinal)];
    private readonly List<Row> _rows = [];

    public long CurrentRev => _states.Count - 1;

    public long CompactRev { get; private set; } = -1;

    /// <summary>Every change, in revision order: what the backend's key table holds before compaction.</summary>
    public IReadOnlyList<Row> Rows => _rows;

    public static string S(ByteString b) => Encoding.Latin1.GetString(b.Span);

    public static ByteString B(string s) => ByteString.CopyFrom(Encoding.Latin1.GetBytes(s));

    public SortedDictionary<string, KeyValue> StateAt(long rev) => _states[(int)rev];

    public RangeResponse? Range(RangeRequest r, out EtcdError? error) => RangeAt(r, CurrentRev, _states[^1], out error);

    public PutResponse? Put(PutRequest p, out EtcdError? error)
    {
        var w = new Working(this);
        if ((p.IgnoreValue || p.IgnoreLease) && !w.State.ContainsKey(S(p.Key)))
        {
            error = EtcdErrors.KeyNotFound;
            return null;
        }

        error = null;
        var resp = w.Put(p);
        w.Commit();
        return resp;
    }

    public DeleteRangeResponse Delete(DeleteRangeRequest d)
    {
        var w = new Working(this);
        var resp = w.Delete(d);
        w.Commit();
        return resp;
    }

    public CompactionResponse? Compact(long rev, out EtcdError? error)
    {
        if (rev <= CompactRev)
        {
            error = EtcdErrors.Compacted;
            return null;
        }

        if (rev > CurrentRev)
        {
            error = EtcdErrors.FutureRev;
            return null;
        }

        error = null;
        CompactRev = rev;
        return new CompactionResponse { Header = new ResponseHeader { Revision = CurrentRev } };
    }

    /// <summary>The events of revisions above <paramref name="after"/>, as a watcher receives them.</summary>
    public List<Event> EventsAfter(long after)
    {
        var events = new List<Event>();
        foreach (var row in _rows)
        {
            if (row.Rev.Main <= after)
            {
                continue;
            }

            events.Add(row.Tombstone
                ? new Event { Type = Event.Types.EventType.Delete, Kv = new KeyValue { Key = row.Kv.Key, ModRevision = row.Rev.Main } }
                : new Event { Type = Event.Types.EventType.Put, Kv = row.Kv });
        }

        return events;
    }

    internal RangeResponse? RangeAt(RangeRequest r, long curRev, SortedDictionary<string, KeyValue> current, out EtcdError? error)
    {
        error = null;
        var rev = r.Revision;
        if (rev > curRev)
        {
            error = EtcdErrors.FutureRev;
            return null;
        }

        if (rev <= 0)
        {
            rev = curRev;
        }

        if (rev < CompactRev)
        {
            error = EtcdErrors.Compacted;
            return null;
        }

        var state = rev == curRev ? current : _states[(int)rev];
        var range = new KeyRange(r.Key, r.RangeEnd);
        var kvs = new List<KeyValue>();
        foreach (var (k, kv) in state)
        {
            if (range.Contains(Encoding.Latin1.GetBytes(k)))
            {
                kvs.Add(kv.Clone());
            }
        }

        var resp = new RangeResponse { Header = new ResponseHeader { Revision = curRev }, Count = kvs.Count };
        if (r.CountOnly)
        {
            return resp;
        }

        // etcd fetches only limit + 1 keys (in key order) unless a sort order or a filter is given; a sort
        // target alone then sorts just those.
        var filtered = r.MinModRevision != 0 || r.MaxModRevision != 0 || r.MinCreateRevision != 0 || r.MaxCreateRevision != 0;
        if (r.Limit > 0 && r.SortOrder == RangeRequest.Types.SortOrder.None && !filtered && kvs.Count > r.Limit + 1)
        {
            kvs.RemoveRange((int)r.Limit + 1, kvs.Count - (int)r.Limit - 1);
        }

        kvs.RemoveAll(kv =>
            (r.MaxModRevision != 0 && kv.ModRevision > r.MaxModRevision) ||
            (r.MinModRevision != 0 && kv.ModRevision < r.MinModRevision) ||
            (r.MaxCreateRevision != 0 && kv.CreateRevision > r.MaxCreateRevision) ||
            (r.MinCreateRevision != 0 && kv.CreateRevision < r.MinCreateRevision));
        var order = r.SortOrder;
        if (r.SortTarget != RangeRequest.Types.SortTarget.Key && order == RangeRequest.Types.SortOrder.None)
        {
            order = RangeRequest.Types.SortOrder.Ascend;
        }

        if (order != RangeRequest.Types.SortOrder.None)
        {
            Func<KeyValue, KeyValue, int> cmp = r.SortTarget switch
            {
                RangeRequest.Types.SortTarget.Version => (a, b) => a.Version.CompareTo(b.Version),
                RangeRequest.Types.SortTarget.Create => (a, b) => a.CreateRevision.CompareTo(b.CreateRevision),
                RangeRequest.Types.SortTarget.Mod => (a, b) => a.ModRevision.CompareTo(b.ModRevision),
                RangeRequest.Types.SortTarget.Value => (a, b) => string.CompareOrdinal(S(a.Value), S(b.Value)),
                _ => (a, b) => string.CompareOrdinal(S(a.Key), S(b.Key)),
            };
            var sign = order == RangeRequest.Types.SortOrder.Descend ? -1 : 1;
            // LINQ's OrderBy is stable: ties keep key order, as the store promises.
            kvs = [.. kvs.Select((kv, i) => (kv, i)).OrderBy(t => t, Comparer<(KeyValue kv, int i)>.Create((x, y) =>
            {
                var c = Math.Sign(cmp(x.kv, y.kv)) * sign;
                return c != 0 ? c : x.i.CompareTo(y.i);
            })).Select(t => t.kv)];
        }

        if (r.Limit > 0 && kvs.Count > r.Limit)
        {
            kvs.RemoveRange((int)r.Limit, kvs.Count - (int)r.Limit);
            resp.More = true;
        }

        foreach (var kv in kvs)
        {
            if (r.KeysOnly)
            {
                kv.Value = ByteString.Empty;
            }

            resp.Kvs.Add(kv);
        }

        return resp;
    }

    internal sealed record Row(Revision Rev, bool Tombstone, KeyValue Kv);
}

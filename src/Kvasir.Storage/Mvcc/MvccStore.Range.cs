using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Storage.Backend;
using SortOrder = Kvasir.Api.Etcdserverpb.RangeRequest.Types.SortOrder;
using SortTarget = Kvasir.Api.Etcdserverpb.RangeRequest.Types.SortTarget;

namespace Kvasir.Storage.Mvcc;

/// <summary>Range, with etcd's applier semantics (limit, count, sort, filters, keys_only, revision checks).</summary>
public sealed partial class MvccStore
{
    /// <summary>
    /// Reads keys as of the latest revision or <see cref="RangeRequest.Revision"/>. Safe from any thread;
    /// never blocks the applier for more than a chunk of keys. Errors: key not provided, invalid sort
    /// option, revision compacted, future revision.
    /// </summary>
    public ReadResult<RangeResponse> Range(RangeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (RequestValidator.CheckRange(request) is { } invalid)
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
                return RangeCore(request, state.CurrentRev, state.CompactRev, ref loader);
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

    /// <summary>
    /// The value of <paramref name="key"/> as of <paramref name="atRev"/> (for a watch event's prev_kv),
    /// or null when the key did not exist then or that revision is compacted.
    /// </summary>
    public KeyValue? Get(ReadOnlySpan<byte> key, long atRev)
    {
        EnterRead();
        try
        {
            var state = Volatile.Read(ref _state);
            if (atRev > state.CurrentRev || atRev < state.CompactRev || !_index.TryGet(key, atRev, out var rev, out _, out _))
            {
                return null;
            }

            var loader = new ValueLoader(_backend, state.Buffer, applier: false);
            try
            {
                return loader.Load(rev);
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

    /// <summary>etcd's applier Range over the state at <paramref name="curRev"/>.</summary>
    internal ReadResult<RangeResponse> RangeCore(RangeRequest r, long curRev, long compactRev, ref ValueLoader loader)
    {
        var filtered = r.MinModRevision != 0 || r.MaxModRevision != 0 || r.MinCreateRevision != 0 || r.MaxCreateRevision != 0;
        var limit = r.Limit;
        if (r.SortOrder != SortOrder.None || filtered)
        {
            // Everything is fetched, then filtered, sorted and cut.
            limit = 0;
        }

        if (limit > 0)
        {
            // One more than asked tells whether there is more.
            limit++;
        }

        var rev = r.Revision;
        if (rev > curRev)
        {
            return EtcdErrors.FutureRev;
        }

        if (rev <= 0)
        {
            rev = curRev;
        }

        if (rev < compactRev)
        {
            return EtcdErrors.Compacted;
        }

        var revs = new List<Revision>(r.RangeEnd.Length == 0 ? 1 : 16);
        _index.Revisions(new KeyRange(r.Key, r.RangeEnd), rev, revs, null);
        if (CompactedPast(rev))
        {
            // Compaction reached past rev while the index was read: its answer may be incomplete.
            return EtcdErrors.Compacted;
        }

        var resp = new RangeResponse { Header = new ResponseHeader { Revision = curRev }, Count = revs.Count };
        if (revs.Count == 0 || r.CountOnly)
        {
            return new ReadResult<RangeResponse>(resp);
        }

        var n = limit <= 0 || limit > revs.Count ? revs.Count : (int)limit;
        if (n > 1)
        {
            loader.PinSnapshot();
        }

        var kvs = new List<KeyValue>(n);
        for (var i = 0; i < n; i++)
        {
            var kv = loader.Load(revs[i]);
            if (kv is null)
            {
                return CompactedPast(rev) ? EtcdErrors.Compacted : throw new BackendException($"revision {revs[i]} is in the key index but not in the backend");
            }

            kvs.Add(kv);
        }

        if (filtered)
        {
            Prune(kvs, r);
        }

        var order = r.SortOrder;
        if (r.SortTarget != SortTarget.Key && order == SortOrder.None)
        {
            // Results come in key order already; another target means ascending by default.
            order = SortOrder.Ascend;
        }

        if (order != SortOrder.None)
        {
            KeyValueSorter.Sort(kvs, r.SortTarget, descending: order == SortOrder.Descend);
        }

        if (r.Limit > 0 && kvs.Count > r.Limit)
        {
            kvs.RemoveRange((int)r.Limit, kvs.Count - (int)r.Limit);
            resp.More = true;
        }

        if (r.KeysOnly)
        {
            foreach (var kv in kvs)
            {
                kv.Value = Google.Protobuf.ByteString.Empty;
            }
        }

        resp.Kvs.AddRange(kvs);
        return new ReadResult<RangeResponse>(resp);
    }

    private bool CompactedPast(long rev) => Volatile.Read(ref _state).CompactRev > rev;

    private static void Prune(List<KeyValue> kvs, RangeRequest r)
    {
        var j = 0;
        for (var i = 0; i < kvs.Count; i++)
        {
            var kv = kvs[i];
            var drop = (r.MaxModRevision != 0 && kv.ModRevision > r.MaxModRevision) ||
                       (r.MinModRevision != 0 && kv.ModRevision < r.MinModRevision) ||
                       (r.MaxCreateRevision != 0 && kv.CreateRevision > r.MaxCreateRevision) ||
                       (r.MinCreateRevision != 0 && kv.CreateRevision < r.MinCreateRevision);
            if (!drop)
            {
                kvs[j++] = kv;
            }
        }

        kvs.RemoveRange(j, kvs.Count - j);
    }
}

using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Compat.Tests.Differential;

/// <summary>
/// Watch operations on three streams per server: creates (a key, a range, a prefix, everything,
/// an empty range; start revisions from now, in the past, compacted and in the future; NOPUT and
/// NODELETE filters; prev_kv; fragment; client-chosen ids, sometimes in use), cancels (live,
/// compacted and unknown ids), progress requests, and collects that compare every event each
/// watcher received. Every watcher asks for progress notifications: they tell when it is caught up.
/// </summary>
public sealed class WatchOps : IDiffOpGenerator
{
    public int Weight => 3;

    public DiffOp? Next(Random random, DiffModel model)
    {
        var stream = random.Next(WatchSession.Streams);
        switch (random.Next(20))
        {
            case < 8:
                var create = Create(random, model);
                return new FuncOp($"Watch create on stream {stream}: {create}", t => WatchSession.Of(t).CreateAsync(stream, create));
            case < 13:
                return new FuncOp("Watch collect", t => WatchSession.Of(t).CollectAsync());
            case < 17:
                var id = random.Next(0, 10) == 0 ? 100 + random.Next(3) : random.Next(0, 8);
                return new FuncOp($"Watch cancel {id} on stream {stream}", t => WatchSession.Of(t).CancelAsync(stream, id));
            default:
                return new FuncOp($"Watch progress request on stream {stream}", t => WatchSession.Of(t).ProgressAsync(stream));
        }
    }

    private static WatchCreateRequest Create(Random random, DiffModel model)
    {
        var key = KvOps.Key(random);
        var request = random.Next(7) switch
        {
            0 or 1 => new WatchCreateRequest { Key = KvOps.Bytes(key) },
            2 => new WatchCreateRequest { Key = KvOps.Bytes("a/"), RangeEnd = KvOps.Bytes("a0") },
            3 => new WatchCreateRequest { Key = KvOps.Bytes("a"), RangeEnd = KvOps.Bytes("c") },
            4 => new WatchCreateRequest { Key = KvOps.Bytes(key), RangeEnd = KvOps.Bytes("\0") },
            5 => new WatchCreateRequest { Key = KvOps.Bytes("\0"), RangeEnd = KvOps.Bytes("\0") },
            _ => new WatchCreateRequest { Key = KvOps.Bytes("f"), RangeEnd = KvOps.Bytes("b") },
        };

        // Start revisions never below 1: etcd 3.4 and Kvasir treat negative ones differently on purpose (Watch README).
        var live = Math.Max(model.Compacted + 1, 1);
        request.StartRevision = random.Next(6) switch
        {
            0 or 1 => 0,
            2 => model.Revision + 1 + random.Next(4),
            3 => Math.Max(1, model.Compacted - random.Next(3)),
            _ => live + random.NextInt64(Math.Max(1, model.Revision - live + 1)),
        };
        if (random.Next(4) == 0)
        {
            request.Filters.Add(random.Next(2) == 0 ? WatchCreateRequest.Types.FilterType.Noput : WatchCreateRequest.Types.FilterType.Nodelete);
        }

        if (random.Next(6) == 0)
        {
            request.WatchId = 100 + random.Next(3);
        }

        request.PrevKv = random.Next(3) == 0;
        request.Fragment = random.Next(2) == 0;
        request.ProgressNotify = true;
        return request;
    }
}

using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Services;

namespace Kvasir.Compat.Tests.Differential;

/// <summary>KV operations: Put (prev_kv, ignore_value, ignore_lease), Range (every option), DeleteRange (range, prefix, prev_kv), Compact.</summary>
public sealed class KvOps : IDiffOpGenerator
{
    public int Weight => 10;

    public DiffOp? Next(Random random, DiffModel model) => random.Next(20) switch
    {
        < 8 => Put(random),
        < 14 => new Call<RangeRequest, RangeResponse>(EtcdMethods.Range, Range(random, model)),
        < 17 => new Call<DeleteRangeRequest, DeleteRangeResponse>(EtcdMethods.DeleteRange, Delete(random)),
        _ => random.Next(4) == 0 ? Compact(random, model) : Put(random),
    };

    public static string Key(Random random) => DiffModel.Keys[random.Next(DiffModel.Keys.Length)];

    public static ByteString Bytes(string s) => ByteString.CopyFromUtf8(s);

    public static PutRequest PutRequest(Random random)
    {
        var r = new PutRequest { Key = Bytes(Key(random)), Value = Bytes("v" + random.Next(100)), PrevKv = random.Next(3) == 0 };
        switch (random.Next(12))
        {
            case 0:
                r.IgnoreValue = true;
                r.Value = random.Next(3) == 0 ? Bytes("oops") : ByteString.Empty;
                break;
            case 1:
                r.IgnoreLease = true;
                break;
            case 2:
                r.Key = ByteString.Empty;
                break;
        }

        return r;
    }

    public static RangeRequest Range(Random random, DiffModel model)
    {
        var r = new RangeRequest { Key = Bytes(Key(random)) };
        switch (random.Next(6))
        {
            case 0:
                r.RangeEnd = Bytes(Key(random));
                break;
            case 1:
                r.RangeEnd = Bytes("\0");
                break;
            case 2:
                r.Key = Bytes("a");
                r.RangeEnd = Bytes("b");
                break;
            case 3:
                r.Key = Bytes("\0");
                r.RangeEnd = Bytes("\0");
                break;
        }

        if (random.Next(3) == 0)
        {
            r.Limit = random.Next(0, 4);
        }

        if (random.Next(4) == 0)
        {
            r.Revision = random.NextInt64(-1, model.Revision + 3);
        }

        if (random.Next(3) == 0)
        {
            r.SortOrder = (RangeRequest.Types.SortOrder)random.Next(3);
            r.SortTarget = (RangeRequest.Types.SortTarget)random.Next(5);
        }

        r.Serializable = random.Next(2) == 0;
        r.KeysOnly = random.Next(5) == 0;
        r.CountOnly = random.Next(8) == 0;
        if (random.Next(6) == 0)
        {
            r.MinModRevision = random.NextInt64(0, model.Revision + 1);
        }

        if (random.Next(6) == 0)
        {
            r.MaxModRevision = random.NextInt64(0, model.Revision + 1);
        }

        if (random.Next(6) == 0)
        {
            r.MinCreateRevision = random.NextInt64(0, model.Revision + 1);
        }

        if (random.Next(6) == 0)
        {
            r.MaxCreateRevision = random.NextInt64(0, model.Revision + 1);
        }

        return r;
    }

    public static DeleteRangeRequest Delete(Random random)
    {
        var r = new DeleteRangeRequest { Key = Bytes(Key(random)), PrevKv = random.Next(2) == 0 };
        switch (random.Next(5))
        {
            case 0:
                r.RangeEnd = Bytes(Key(random));
                break;
            case 1:
                r.Key = Bytes("a/");
                r.RangeEnd = Bytes("a0");
                break;
            case 2 when random.Next(4) == 0:
                r.Key = ByteString.Empty;
                break;
        }

        return r;
    }

    // A revision past the store's is refused; one at or below the last compaction too. Watchers
    // catch up first: etcd reads history for a behind watcher every 100 ms, Kvasir at once, so a
    // compaction racing a catch-up would cancel a watcher on one server and not on the other.
    private static DiffOp Compact(Random random, DiffModel model)
    {
        var revision = random.NextInt64(0, model.Revision + 2);
        if (revision <= model.Revision)
        {
            model.Compacted = Math.Max(model.Compacted, revision);
        }

        var compact = new Call<CompactionRequest, CompactionResponse>(EtcdMethods.Compact, new CompactionRequest { Revision = revision });
        return new FuncOp(compact.Describe(), async t =>
        {
            await WatchSession.SyncIfOpenAsync(t);
            return await compact.RunAsync(t);
        });
    }

    private static DiffOp Put(Random random) => new Call<PutRequest, PutResponse>(EtcdMethods.Put, PutRequest(random));
}

using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Services;

namespace Kvasir.Compat.Tests.Differential;

/// <summary>Txns: compares on every target and result (over a key or a range), branches of ranges, puts, deletes and nested txns, duplicate keys.</summary>
public sealed class TxnOps : IDiffOpGenerator
{
    public int Weight => 5;

    public DiffOp? Next(Random random, DiffModel model) => new Call<TxnRequest, TxnResponse>(EtcdMethods.Txn, Txn(random, model, depth: 0));

    private static TxnRequest Txn(Random random, DiffModel model, int depth)
    {
        var txn = new TxnRequest();
        for (var i = random.Next(0, 3); i > 0; i--)
        {
            txn.Compare.Add(Compare(random, model));
        }

        for (var i = random.Next(0, 4); i > 0; i--)
        {
            txn.Success.Add(Op(random, model, depth));
        }

        for (var i = random.Next(0, 3); i > 0; i--)
        {
            txn.Failure.Add(Op(random, model, depth));
        }

        return txn;
    }

    private static Compare Compare(Random random, DiffModel model)
    {
        var c = new Compare
        {
            Key = KvOps.Bytes(KvOps.Key(random)),
            Result = (Compare.Types.CompareResult)random.Next(4),
        };
        switch (random.Next(5))
        {
            case 0:
                c.Target = Api.Etcdserverpb.Compare.Types.CompareTarget.Version;
                c.Version = random.Next(0, 4);
                break;
            case 1:
                c.Target = Api.Etcdserverpb.Compare.Types.CompareTarget.Create;
                c.CreateRevision = random.NextInt64(0, model.Revision + 1);
                break;
            case 2:
                c.Target = Api.Etcdserverpb.Compare.Types.CompareTarget.Mod;
                c.ModRevision = random.NextInt64(0, model.Revision + 1);
                break;
            case 3:
                c.Target = Api.Etcdserverpb.Compare.Types.CompareTarget.Value;
                c.Value = KvOps.Bytes("v" + random.Next(100));
                break;
            default:
                c.Target = Api.Etcdserverpb.Compare.Types.CompareTarget.Lease;
                c.Lease = 0;
                break;
        }

        if (random.Next(5) == 0)
        {
            c.RangeEnd = KvOps.Bytes(random.Next(2) == 0 ? "\0" : KvOps.Key(random));
        }

        return c;
    }

    private static RequestOp Op(Random random, DiffModel model, int depth) => random.Next(depth < 2 ? 10 : 9) switch
    {
        < 3 => new RequestOp { RequestRange = KvOps.Range(random, model) },
        < 7 => new RequestOp { RequestPut = KvOps.PutRequest(random) },
        < 9 => new RequestOp { RequestDeleteRange = KvOps.Delete(random) },
        _ => new RequestOp { RequestTxn = Txn(random, model, depth + 1) },
    };
}

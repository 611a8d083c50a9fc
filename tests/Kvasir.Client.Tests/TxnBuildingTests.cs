using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client.Tests;

/// <summary>Compares and operations as requests, without a server.</summary>
public sealed class TxnBuildingTests
{
    [Fact]
    public void Cmp_EachTarget_SetsItsUnionField()
    {
        var version = Cmp.Version("k").Equal(0);
        Assert.Equal((Compare.Types.CompareTarget.Version, Compare.Types.CompareResult.Equal, 0L), (version.Target, version.Result, version.Version));
        var create = Cmp.CreateRevision("k").Greater(3);
        Assert.Equal((Compare.Types.CompareTarget.Create, Compare.Types.CompareResult.Greater, 3L), (create.Target, create.Result, create.CreateRevision));
        var mod = Cmp.ModRevision("k").Less(4);
        Assert.Equal((Compare.Types.CompareTarget.Mod, Compare.Types.CompareResult.Less, 4L), (mod.Target, mod.Result, mod.ModRevision));
        var lease = Cmp.Lease("k").NotEqual(5);
        Assert.Equal((Compare.Types.CompareTarget.Lease, Compare.Types.CompareResult.NotEqual, 5L), (lease.Target, lease.Result, lease.Lease));
        var value = Cmp.Value("k").Equal("v");
        Assert.Equal((Compare.Types.CompareTarget.Value, "v"), (value.Target, value.Value.ToStringUtf8()));
        Assert.True(value.RangeEnd.IsEmpty);
    }

    [Fact]
    public void Cmp_WithPrefix_SetsRangeEnd()
    {
        Assert.Equal("l", Cmp.Version("k").WithPrefix().Equal(0).RangeEnd.ToStringUtf8());
        Assert.Equal("l", Cmp.Value("k").WithPrefix().Equal("x").RangeEnd.ToStringUtf8());
    }

    [Fact]
    public void Cmp_DefaultTarget_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => default(NumberCmpTarget).Equal(1));
        Assert.Throws<InvalidOperationException>(() => default(ValueCmpTarget).Equal("x"));
    }

    [Fact]
    public void Op_Txn_NestsBranches()
    {
        var op = Op.Txn([Cmp.Version("a").Equal(0)], [Op.Put("a", "1")], [Op.Get("a")]);
        Assert.Equal(RequestOp.RequestOneofCase.RequestTxn, op.RequestCase);
        Assert.Single(op.RequestTxn.Success);
        Assert.Single(op.RequestTxn.Failure);
    }

    [Fact]
    public void Op_ReadOnly_LooksIntoNestedTxns()
    {
        Assert.True(Op.ReadOnly([Op.Get("a"), Op.Txn([], [Op.Get("b")])]));
        Assert.False(Op.ReadOnly([Op.Get("a"), Op.Txn([], [Op.Get("b")], [Op.Delete("c")])]));
    }

    [Fact]
    public void TxnBuilder_OutOfOrder_Throws()
    {
        using var client = EtcdClient.Create("127.0.0.1:1");
        Assert.Throws<InvalidOperationException>(() => client.KV.Txn().Then(Op.Get("a")).If(Cmp.Version("a").Equal(0)));
        Assert.Throws<InvalidOperationException>(() => client.KV.Txn().If().If());
        Assert.Throws<InvalidOperationException>(() => client.KV.Txn().Else().Then());
    }

    [Fact]
    public void TxnBuilder_Build_GivesTheRequest()
    {
        using var client = EtcdClient.Create("127.0.0.1:1");
        var request = client.KV.Txn().If(Cmp.Version("a").Equal(0)).Then(Op.Put("a", "1")).Else(Op.Get("a"), Op.Get("b")).Build();
        Assert.Equal((1, 1, 2), (request.Compare.Count, request.Success.Count, request.Failure.Count));
    }
}

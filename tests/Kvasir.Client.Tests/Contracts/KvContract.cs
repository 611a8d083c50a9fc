using Google.Protobuf;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Client.Tests.Support;

namespace Kvasir.Client.Tests.Contracts;

/// <summary>The KV service through the client: every option of Get, Put and Delete, transactions, compaction, and the errors.</summary>
public abstract class KvContract(ServerFixture server)
{
    protected ServerFixture Server { get; } = server;

    [ServerFact]
    public async Task PutThenGet_OneKey_ValueAndRevisions()
    {
        var kv = (await Server.StartAsync()).KV;
        var key = Keys.Unique("kv") + "a";
        var put = await kv.PutAsync(key, "1");
        var second = await kv.PutAsync(key, "2");
        var got = await kv.GetAsync(key);
        var one = Assert.Single(got.Kvs);
        Assert.Equal("2", one.Value.ToStringUtf8());
        Assert.Equal((put.Header.Revision, second.Header.Revision, 2L), (one.CreateRevision, one.ModRevision, one.Version));
        Assert.Equal(1, got.Count);
        Assert.False(got.More);
    }

    [ServerFact]
    public async Task Get_MissingKey_Empty()
    {
        var got = await (await Server.StartAsync()).KV.GetAsync(Keys.Unique("kv") + "none");
        Assert.Empty(got.Kvs);
        Assert.Equal(0, got.Count);
    }

    [ServerFact]
    public async Task Get_PrefixFromKeyAndRange_SelectTheirKeys()
    {
        var kv = (await Server.StartAsync()).KV;
        var p = "zz-" + Keys.Unique("kv");
        foreach (var k in new[] { "a", "b", "c" })
        {
            await kv.PutAsync(p + k, k);
        }

        await kv.PutAsync(p[..^1], "outside");
        Assert.Equal(["a", "b", "c"], Values(await kv.GetAsync(p, new GetOptions { Prefix = true })));
        Assert.Equal(["a", "b"], Values(await kv.GetAsync(p + "a", new GetOptions { RangeEnd = ByteString.CopyFromUtf8(p + "c") })));
        var fromB = await kv.GetAsync(p + "b", new GetOptions { FromKey = true });
        Assert.Equal(["b", "c"], Values(fromB).Take(2));
    }

    [ServerFact]
    public async Task Get_LimitAndSort_FirstNAndMore()
    {
        var kv = (await Server.StartAsync()).KV;
        var p = Keys.Unique("kv");
        foreach (var k in new[] { "b", "a", "c" })
        {
            await kv.PutAsync(p + k, k);
        }

        var newest = await kv.GetAsync(p, new GetOptions
        {
            Prefix = true,
            Limit = 2,
            SortTarget = RangeRequest.Types.SortTarget.Create,
            SortOrder = RangeRequest.Types.SortOrder.Descend,
        });
        Assert.Equal(["c", "a"], Values(newest));
        Assert.True(newest.More);
        Assert.Equal(3, newest.Count);
        var byValue = await kv.GetAsync(p, new GetOptions { Prefix = true, SortTarget = RangeRequest.Types.SortTarget.Value, SortOrder = RangeRequest.Types.SortOrder.Descend });
        Assert.Equal(["c", "b", "a"], Values(byValue));
    }

    [ServerFact]
    public async Task Get_KeysOnlyCountOnlySerializable_ShapeTheAnswer()
    {
        var kv = (await Server.StartAsync()).KV;
        var p = Keys.Unique("kv");
        await kv.PutAsync(p + "a", "value-a");
        await kv.PutAsync(p + "b", "value-b");
        var keysOnly = await kv.GetAsync(p, new GetOptions { Prefix = true, KeysOnly = true });
        Assert.Equal(2, keysOnly.Kvs.Count);
        Assert.All(keysOnly.Kvs, k => Assert.True(k.Value.IsEmpty));
        var countOnly = await kv.GetAsync(p, new GetOptions { Prefix = true, CountOnly = true });
        Assert.Empty(countOnly.Kvs);
        Assert.Equal(2, countOnly.Count);
        var serializable = await kv.GetAsync(p + "a", new GetOptions { Serializable = true });
        Assert.Equal("value-a", Assert.Single(serializable.Kvs).Value.ToStringUtf8());
    }

    [ServerFact]
    public async Task Get_AtRevisionAndWithRevisionFilters_SeesHistory()
    {
        var kv = (await Server.StartAsync()).KV;
        var p = Keys.Unique("kv");
        var first = await kv.PutAsync(p + "a", "old");
        await kv.PutAsync(p + "a", "new");
        var b = await kv.PutAsync(p + "b", "b");
        Assert.Equal("old", Assert.Single((await kv.GetAsync(p + "a", new GetOptions { Revision = first.Header.Revision })).Kvs).Value.ToStringUtf8());
        var recent = await kv.GetAsync(p, new GetOptions { Prefix = true, MinModRevision = first.Header.Revision + 1 });
        Assert.Equal(["new", "b"], Values(recent));
        var createdEarly = await kv.GetAsync(p, new GetOptions { Prefix = true, MaxCreateRevision = b.Header.Revision - 1 });
        Assert.Equal(["new"], Values(createdEarly));
    }

    [ServerFact]
    public async Task Get_FutureRevision_FutureRevError()
    {
        var kv = (await Server.StartAsync()).KV;
        var now = await kv.PutAsync(Keys.Unique("kv") + "a", "x");
        var e = await Assert.ThrowsAsync<EtcdException>(() => kv.GetAsync("a", new GetOptions { Revision = now.Header.Revision + 1000 }));
        Assert.Same(EtcdErrors.FutureRev, e.Error);
        Assert.Equal(Grpc.StatusCode.OutOfRange, e.StatusCode);
    }

    [ServerFact]
    public async Task Get_ContradictoryOptions_ThrowsAndChangesNothing()
    {
        var kv = (await Server.StartAsync()).KV;
        var key = Keys.Unique("kv") + "a";
        var before = await kv.PutAsync(key, "v");
        await Assert.ThrowsAsync<ArgumentException>(() => kv.GetAsync(key, new GetOptions { Prefix = true, FromKey = true }));
        await Assert.ThrowsAsync<ArgumentException>(() => kv.DeleteAsync(key, new DeleteOptions { Prefix = true, RangeEnd = ByteString.CopyFromUtf8("z") }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => kv.GetAsync(key, new GetOptions { Limit = -1 }));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => kv.CompactAsync(0));
        var after = await kv.GetAsync(key);
        Assert.Equal(before.Header.Revision, after.Header.Revision);
        Assert.Equal("v", Assert.Single(after.Kvs).Value.ToStringUtf8());
    }

    [ServerFact]
    public async Task Put_PrevKv_ReturnsWhatItReplaced()
    {
        var kv = (await Server.StartAsync()).KV;
        var key = Keys.Unique("kv") + "a";
        var first = await kv.PutAsync(key, "1", new PutOptions { PrevKv = true });
        Assert.Null(first.PrevKv);
        var second = await kv.PutAsync(key, "2", new PutOptions { PrevKv = true });
        Assert.Equal("1", second.PrevKv.Value.ToStringUtf8());
    }

    [ServerFact]
    public async Task Put_IgnoreValueAndIgnoreLease_KeepWhatTheySay()
    {
        var client = await Server.StartAsync();
        var key = Keys.Unique("kv") + "a";
        var lease = await client.Lease.GrantAsync(60);
        await client.KV.PutAsync(key, "first", new PutOptions { Lease = lease.ID });
        await client.KV.PutAsync(key, "changed", new PutOptions { IgnoreLease = true });
        var kept = Assert.Single((await client.KV.GetAsync(key)).Kvs);
        Assert.Equal(("changed", lease.ID), (kept.Value.ToStringUtf8(), kept.Lease));

        // IgnoreValue keeps the value; the lease is the one given (here none), as etcd defines it.
        await client.KV.PutAsync(ByteString.CopyFromUtf8(key), ByteString.Empty, new PutOptions { IgnoreValue = true });
        var got = Assert.Single((await client.KV.GetAsync(key)).Kvs);
        Assert.Equal(("changed", 0L, 3L), (got.Value.ToStringUtf8(), got.Lease, got.Version));
        await client.Lease.RevokeAsync(lease.ID);
    }

    [ServerFact]
    public async Task Put_BadCombinations_EtcdsErrorsAndNoChange()
    {
        var kv = (await Server.StartAsync()).KV;
        var key = Keys.Unique("kv") + "a";
        var missing = await Assert.ThrowsAsync<EtcdException>(() => kv.PutAsync(ByteString.CopyFromUtf8(key), ByteString.Empty, new PutOptions { IgnoreValue = true }));
        Assert.Same(EtcdErrors.KeyNotFound, missing.Error);
        await kv.PutAsync(key, "v");
        var valueGiven = await Assert.ThrowsAsync<EtcdException>(() => kv.PutAsync(key, "w", new PutOptions { IgnoreValue = true }));
        Assert.Same(EtcdErrors.ValueProvided, valueGiven.Error);
        var leaseGiven = await Assert.ThrowsAsync<EtcdException>(() => kv.PutAsync(key, "w", new PutOptions { IgnoreLease = true, Lease = 12345 }));
        Assert.Same(EtcdErrors.LeaseProvided, leaseGiven.Error);
        var noLease = await Assert.ThrowsAsync<EtcdException>(() => kv.PutAsync(key, "w", new PutOptions { Lease = 0x7fff_ffff_0000 }));
        Assert.Same(EtcdErrors.LeaseNotFound, noLease.Error);
        Assert.Equal(Grpc.StatusCode.NotFound, noLease.StatusCode);
        var emptyKey = await Assert.ThrowsAsync<EtcdException>(() => kv.PutAsync("", "w"));
        Assert.Same(EtcdErrors.EmptyKey, emptyKey.Error);
        var got = Assert.Single((await kv.GetAsync(key)).Kvs);
        Assert.Equal(("v", 1L), (got.Value.ToStringUtf8(), got.Version));
    }

    [ServerFact]
    public async Task Delete_PrefixWithPrevKv_RemovesAndReturnsThem()
    {
        var kv = (await Server.StartAsync()).KV;
        var p = Keys.Unique("kv");
        await kv.PutAsync(p + "a", "1");
        await kv.PutAsync(p + "b", "2");
        var deleted = await kv.DeleteAsync(p, new DeleteOptions { Prefix = true, PrevKv = true });
        Assert.Equal(2, deleted.Deleted);
        Assert.Equal(["1", "2"], deleted.PrevKvs.Select(k => k.Value.ToStringUtf8()));
        Assert.Equal(0, (await kv.GetAsync(p, new GetOptions { Prefix = true, CountOnly = true })).Count);
        Assert.Equal(0, (await kv.DeleteAsync(p + "a")).Deleted);
    }

    [ServerFact]
    public async Task Txn_IfThenElse_TakesTheBranchTheComparesChoose()
    {
        var kv = (await Server.StartAsync()).KV;
        var key = Keys.Unique("kv") + "a";
        var created = await kv.Txn().If(Cmp.Version(key).Equal(0)).Then(Op.Put(key, "created")).Else(Op.Get(key)).CommitAsync();
        Assert.True(created.Succeeded);
        var again = await kv.Txn().If(Cmp.Version(key).Equal(0)).Then(Op.Put(key, "created")).Else(Op.Get(key)).CommitAsync();
        Assert.False(again.Succeeded);
        Assert.Equal("created", again.Responses[0].ResponseRange.Kvs[0].Value.ToStringUtf8());
    }

    [ServerFact]
    public async Task Txn_EveryCompareTarget_EvaluatedByTheServer()
    {
        var client = await Server.StartAsync();
        var kv = client.KV;
        var p = Keys.Unique("kv");
        var lease = await client.Lease.GrantAsync(60);
        var put = await kv.PutAsync(p + "a", "v", new PutOptions { Lease = lease.ID });
        var all = await kv.Txn()
            .If(
                Cmp.Value(p + "a").Equal("v"),
                Cmp.Version(p + "a").Equal(1),
                Cmp.CreateRevision(p + "a").Equal(put.Header.Revision),
                Cmp.ModRevision(p + "a").Less(put.Header.Revision + 1),
                Cmp.Lease(p + "a").Equal(lease.ID),
                Cmp.Version(p).WithPrefix().Greater(0))
            .Then(Op.Put(p + "b", "all-held"))
            .CommitAsync();
        Assert.True(all.Succeeded);
        var one = await kv.Txn().If(Cmp.Value(p + "a").NotEqual("v")).Then(Op.Put(p + "c", "x")).CommitAsync();
        Assert.False(one.Succeeded);
        Assert.Equal(0, (await kv.GetAsync(p + "c", new GetOptions { CountOnly = true })).Count);
        await client.Lease.RevokeAsync(lease.ID);
    }

    [ServerFact]
    public async Task Txn_Nested_RunsTheInnerBranch()
    {
        var kv = (await Server.StartAsync()).KV;
        var p = Keys.Unique("kv");
        var response = await kv.Txn()
            .If(Cmp.Version(p + "outer").Equal(0))
            .Then(Op.Txn([Cmp.Version(p + "inner").Equal(1)], [Op.Put(p + "x", "inner-then")], [Op.Put(p + "x", "inner-else")]))
            .CommitAsync();
        Assert.True(response.Succeeded);
        Assert.False(response.Responses[0].ResponseTxn.Succeeded);
        Assert.Equal("inner-else", (await kv.GetAsync(p + "x")).Kvs[0].Value.ToStringUtf8());
    }

    [ServerFact]
    public async Task Txn_SameKeyTwice_DuplicateKeyAndNoChange()
    {
        var kv = (await Server.StartAsync()).KV;
        var key = Keys.Unique("kv") + "a";
        var e = await Assert.ThrowsAsync<EtcdException>(() => kv.Txn().Then(Op.Put(key, "1"), Op.Put(key, "2")).CommitAsync());
        Assert.Same(EtcdErrors.DuplicateKey, e.Error);
        Assert.Empty((await kv.GetAsync(key)).Kvs);
    }

    [ServerFact]
    public async Task Compact_OldRevision_ReadsThereAreCompacted()
    {
        var kv = (await Server.StartAsync()).KV;
        var key = Keys.Unique("kv") + "a";
        var first = await kv.PutAsync(key, "1");
        var second = await kv.PutAsync(key, "2");
        await kv.CompactAsync(second.Header.Revision, physical: true);
        var read = await Assert.ThrowsAsync<EtcdCompactedException>(() => kv.GetAsync(key, new GetOptions { Revision = first.Header.Revision }));
        Assert.Same(EtcdErrors.Compacted, read.Error);
        Assert.Equal(Grpc.StatusCode.OutOfRange, read.StatusCode);
        await Assert.ThrowsAsync<EtcdCompactedException>(() => kv.CompactAsync(first.Header.Revision));
        Assert.Equal("2", (await kv.GetAsync(key)).Kvs[0].Value.ToStringUtf8());
    }

    private static List<string> Values(RangeResponse response) => [.. response.Kvs.Select(k => k.Value.ToStringUtf8())];
}

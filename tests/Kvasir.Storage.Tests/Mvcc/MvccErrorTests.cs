using Google.Protobuf;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Storage.Tests.Mvcc;

/// <summary>
/// Every error the store returns, checked against etcd's exact text and gRPC code, and each bad request
/// checked to change nothing (same revision, same data).
/// </summary>
public sealed class MvccErrorTests
{
    private static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    private static void Is(EtcdError? actual, string message, RpcCode code)
    {
        Assert.NotNull(actual);
        Assert.Equal(message, actual.Message);
        Assert.Equal(code, actual.Code);
    }

    /// <summary>Runs a bad write and checks that the revision and the whole key space are as before.</summary>
    private static void ChangesNothing(StoreFixture f, Func<EtcdError?> bad, string message, RpcCode code)
    {
        var rev = f.Store.CurrentRevision;
        var before = f.Get("\0", "\0");
        Is(bad(), message, code);
        Assert.Equal(rev, f.Store.CurrentRevision);
        Assert.Equal(before.Kvs, f.Get("\0", "\0").Kvs);
    }

    [Fact]
    public void Range_EmptyKey_KeyIsNotProvided()
    {
        using var f = new StoreFixture();
        Is(f.Store.Range(new RangeRequest()).Error, "etcdserver: key is not provided", RpcCode.InvalidArgument);
    }

    [Fact]
    public void Range_UnknownSortOption_InvalidSortOption()
    {
        using var f = new StoreFixture();
        var r = f.Store.Range(new RangeRequest { Key = B("a"), SortOrder = (RangeRequest.Types.SortOrder)7 });
        Is(r.Error, "etcdserver: invalid sort option", RpcCode.InvalidArgument);
        r = f.Store.Range(new RangeRequest { Key = B("a"), SortTarget = (RangeRequest.Types.SortTarget)9 });
        Is(r.Error, "etcdserver: invalid sort option", RpcCode.InvalidArgument);
    }

    [Fact]
    public void Range_FutureRevision_FutureRev()
    {
        using var f = new StoreFixture();
        f.Put("a", "1");
        Is(f.Store.Range(new RangeRequest { Key = B("a"), Revision = 3 }).Error, "etcdserver: mvcc: required revision is a future revision", RpcCode.OutOfRange);
    }

    [Fact]
    public void Range_BelowCompactedRevision_Compacted()
    {
        using var f = new StoreFixture();
        f.Put("a", "1");
        f.Put("a", "2");
        f.Put("a", "3");
        Assert.True(f.Store.Compact(new CompactionRequest { Revision = 3 }, f.NextIndex()).Ok);
        Is(f.Store.Range(new RangeRequest { Key = B("a"), Revision = 2 }).Error, "etcdserver: mvcc: required revision has been compacted", RpcCode.OutOfRange);
        // The compacted revision itself stays readable, as in etcd.
        Assert.Equal("2", f.Get("a", rev: 3).Kvs[0].Value.ToStringUtf8());
    }

    [Fact]
    public void Put_BadRequests_EtcdErrorsAndNoChange()
    {
        using var f = new StoreFixture();
        f.Put("a", "1");
        ChangesNothing(f, () => f.Store.Put(new PutRequest { Value = B("x") }, f.NextIndex()).Error, "etcdserver: key is not provided", RpcCode.InvalidArgument);
        ChangesNothing(f, () => f.Store.Put(new PutRequest { Key = B("a"), Value = B("x"), IgnoreValue = true }, f.NextIndex()).Error, "etcdserver: value is provided", RpcCode.InvalidArgument);
        ChangesNothing(f, () => f.Store.Put(new PutRequest { Key = B("a"), Lease = 5, IgnoreLease = true }, f.NextIndex()).Error, "etcdserver: lease is provided", RpcCode.InvalidArgument);
        ChangesNothing(f, () => f.Store.Put(new PutRequest { Key = B("missing"), IgnoreValue = true }, f.NextIndex()).Error, "etcdserver: key not found", RpcCode.InvalidArgument);
        ChangesNothing(f, () => f.Store.Put(new PutRequest { Key = B("missing"), Value = B("v"), IgnoreLease = true }, f.NextIndex()).Error, "etcdserver: key not found", RpcCode.InvalidArgument);
        ChangesNothing(f, () => f.Store.Put(new PutRequest { Key = B("a"), Value = B("v"), Lease = 42 }, f.NextIndex(), new NoLeases()).Error, "etcdserver: requested lease not found", RpcCode.NotFound);
    }

    [Fact]
    public void DeleteRange_EmptyKey_KeyIsNotProvided()
    {
        using var f = new StoreFixture();
        f.Put("a", "1");
        ChangesNothing(f, () => f.Store.DeleteRange(new DeleteRangeRequest { RangeEnd = B("z") }, f.NextIndex()).Error, "etcdserver: key is not provided", RpcCode.InvalidArgument);
    }

    [Fact]
    public void Txn_BadRequests_EtcdErrorsAndNoChange()
    {
        using var f = new StoreFixture();
        f.Put("a", "1");
        var put = new RequestOp { RequestPut = new PutRequest { Key = B("a"), Value = B("2") } };

        var tooMany = new TxnRequest();
        for (var i = 0; i < 129; i++)
        {
            tooMany.Success.Add(new RequestOp { RequestRange = new RangeRequest { Key = B("a") } });
        }

        ChangesNothing(f, () => f.Store.Txn(tooMany, f.NextIndex()).Error, "etcdserver: too many operations in txn request", RpcCode.InvalidArgument);

        var emptyCompareKey = new TxnRequest { Compare = { new Compare { Target = Compare.Types.CompareTarget.Version } }, Success = { put } };
        ChangesNothing(f, () => f.Store.Txn(emptyCompareKey, f.NextIndex()).Error, "etcdserver: key is not provided", RpcCode.InvalidArgument);

        var emptyOp = new TxnRequest { Success = { new RequestOp() } };
        ChangesNothing(f, () => f.Store.Txn(emptyOp, f.NextIndex()).Error, "etcdserver: key not found", RpcCode.InvalidArgument);

        var twice = new TxnRequest { Success = { put, put } };
        ChangesNothing(f, () => f.Store.Txn(twice, f.NextIndex()).Error, "etcdserver: duplicate key given in txn request", RpcCode.InvalidArgument);

        var putAndDelete = new TxnRequest { Failure = { put, new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = B("a"), RangeEnd = B("b") } } } };
        ChangesNothing(f, () => f.Store.Txn(putAndDelete, f.NextIndex()).Error, "etcdserver: duplicate key given in txn request", RpcCode.InvalidArgument);

        var nestedTwice = new TxnRequest { Success = { put, new RequestOp { RequestTxn = new TxnRequest { Failure = { put } } } } };
        ChangesNothing(f, () => f.Store.Txn(nestedTwice, f.NextIndex()).Error, "etcdserver: duplicate key given in txn request", RpcCode.InvalidArgument);

        var ignoreMissing = new TxnRequest { Success = { put, new RequestOp { RequestPut = new PutRequest { Key = B("missing"), IgnoreValue = true } } } };
        ChangesNothing(f, () => f.Store.Txn(ignoreMissing, f.NextIndex()).Error, "etcdserver: key not found", RpcCode.InvalidArgument);

        var unknownLease = new TxnRequest { Success = { new RequestOp { RequestPut = new PutRequest { Key = B("b"), Lease = 9 } } } };
        ChangesNothing(f, () => f.Store.Txn(unknownLease, f.NextIndex(), new NoLeases()).Error, "etcdserver: requested lease not found", RpcCode.NotFound);

        var future = new TxnRequest { Success = { put, new RequestOp { RequestRange = new RangeRequest { Key = B("a"), Revision = 99 } } } };
        ChangesNothing(f, () => f.Store.Txn(future, f.NextIndex()).Error, "etcdserver: mvcc: required revision is a future revision", RpcCode.OutOfRange);

        // etcd compares a txn range's revision with the compacted one as is: a negative one is "compacted".
        var negative = new TxnRequest { Success = { put, new RequestOp { RequestRange = new RangeRequest { Key = B("a"), Revision = -2 } } } };
        ChangesNothing(f, () => f.Store.Txn(negative, f.NextIndex()).Error, "etcdserver: mvcc: required revision has been compacted", RpcCode.OutOfRange);
    }

    [Fact]
    public void Txn_PutInBothBranchesOfANestedTxn_IsNotADuplicate()
    {
        using var f = new StoreFixture();
        var put = new RequestOp { RequestPut = new PutRequest { Key = B("a"), Value = B("2") } };
        var txn = new TxnRequest { Success = { new RequestOp { RequestTxn = new TxnRequest { Success = { put }, Failure = { put } } } } };
        Assert.True(f.Store.Txn(txn, f.NextIndex()).Ok);
    }

    [Fact]
    public void Txn_NestedBudget_CountsAsEtcdDoes()
    {
        using var f = new StoreFixture();
        // The outer txn uses 100 of 128 operations; its nested txn may have at most 28.
        var nested = new TxnRequest();
        for (var i = 0; i < 29; i++)
        {
            nested.Success.Add(new RequestOp { RequestRange = new RangeRequest { Key = B("a") } });
        }

        var outer = new TxnRequest { Success = { new RequestOp { RequestTxn = nested } } };
        for (var i = 0; i < 99; i++)
        {
            outer.Success.Add(new RequestOp { RequestRange = new RangeRequest { Key = B("a") } });
        }

        Is(f.Store.Txn(outer, f.NextIndex()).Error, "etcdserver: too many operations in txn request", RpcCode.InvalidArgument);
        nested.Success.RemoveAt(0);
        Assert.True(f.Store.Txn(outer, f.NextIndex()).Ok);
    }

    [Fact]
    public void Compact_CompactedAndFutureRevisions_EtcdErrors()
    {
        using var f = new StoreFixture();
        f.Put("a", "1");
        f.Put("a", "2");
        ChangesNothing(f, () => f.Store.Compact(new CompactionRequest { Revision = 4 }, f.NextIndex()).Error, "etcdserver: mvcc: required revision is a future revision", RpcCode.OutOfRange);
        Assert.True(f.Store.Compact(new CompactionRequest { Revision = 2 }, f.NextIndex()).Ok);
        ChangesNothing(f, () => f.Store.Compact(new CompactionRequest { Revision = 2 }, f.NextIndex()).Error, "etcdserver: mvcc: required revision has been compacted", RpcCode.OutOfRange);
        ChangesNothing(f, () => f.Store.Compact(new CompactionRequest { Revision = 1 }, f.NextIndex()).Error, "etcdserver: mvcc: required revision has been compacted", RpcCode.OutOfRange);
    }

    [Fact]
    public void HashKvAndEvents_CompactedOrFuture_EtcdErrors()
    {
        using var f = new StoreFixture();
        f.Put("a", "1");
        f.Put("a", "2");
        f.Put("a", "3");
        Assert.True(f.Store.Compact(new CompactionRequest { Revision = 3 }, f.NextIndex()).Ok);
        Is(f.Store.HashKV(3).Error, "etcdserver: mvcc: required revision has been compacted", RpcCode.OutOfRange);
        Is(f.Store.HashKV(5).Error, "etcdserver: mvcc: required revision is a future revision", RpcCode.OutOfRange);
        Is(f.Store.ReadEvents(2, 4).Error, "etcdserver: mvcc: required revision has been compacted", RpcCode.OutOfRange);
        Assert.True(f.Store.ReadEvents(3, 4).Ok);
    }

    [Fact]
    public void Errors_AreTheCatalogueEntries()
    {
        // The store answers with the catalogue's objects, so the API layer maps them with one table.
        Assert.Contains(EtcdErrors.Compacted, EtcdErrors.All);
        Assert.Same(EtcdErrors.Compacted, EtcdErrors.FromMessage("etcdserver: mvcc: required revision has been compacted"));
        Assert.Same(EtcdErrors.FutureRev, EtcdErrors.FromMessage("etcdserver: mvcc: required revision is a future revision"));
    }

    [Fact]
    public void BeginWrite_IndexAtOrBelowConsistentIndex_Throws()
    {
        using var f = new StoreFixture();
        f.Store.Put(new PutRequest { Key = B("a"), Value = B("1") }, 10);
        Assert.Throws<InvalidOperationException>(() => f.Store.Put(new PutRequest { Key = B("a"), Value = B("2") }, 10));
        Assert.Equal(2, f.Store.CurrentRevision);
        Assert.Equal(10, f.Store.ConsistentIndex);
    }

    [Fact]
    public void Buckets_ReservedNames_Refused()
    {
        using var f = new StoreFixture();
        using var tx = f.Store.BeginWrite(f.NextIndex());
        Assert.Throws<ArgumentException>(() => tx.BucketPut("meta", "x"u8, "y"u8));
        Assert.Throws<ArgumentException>(() => tx.BucketPut("key", "x"u8, "y"u8));
        tx.End();
    }

    private sealed class NoLeases : ILeaseLookup
    {
        public bool Exists(long leaseId) => false;
    }
}

using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Storage.Backend;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;

namespace Kvasir.Storage.Tests.Mvcc;

public sealed class MvccStoreTests
{
    private static ByteString B(string s) => ByteString.CopyFromUtf8(s);

    [Fact]
    public void PutDeletePut_Revisions_AreEtcds()
    {
        using var f = new StoreFixture();
        Assert.Equal(1, f.Store.CurrentRevision);
        Assert.Equal(2, f.Put("foo", "a").Header.Revision);
        Assert.Equal(3, f.Put("foo", "b").Header.Revision);
        var kv = f.Get("foo").Kvs[0];
        Assert.Equal((2L, 3L, 2L), (kv.CreateRevision, kv.ModRevision, kv.Version));
        var del = f.Store.DeleteRange(new DeleteRangeRequest { Key = B("foo"), PrevKv = true }, f.NextIndex());
        Assert.Equal(4, del.Revision);
        Assert.Equal(1, del.Response!.Deleted);
        Assert.Equal("b", del.Response.PrevKvs[0].Value.ToStringUtf8());
        Assert.Equal(Event.Types.EventType.Delete, del.Events[0].Type);
        Assert.Equal(4, del.Events[0].Kv.ModRevision);

        // Deleting nothing changes nothing, not even the revision.
        var none = f.Store.DeleteRange(new DeleteRangeRequest { Key = B("foo") }, f.NextIndex());
        Assert.Equal((0L, 4L), (none.Response!.Deleted, none.Response.Header.Revision));
        Assert.Empty(none.Events);

        Assert.Equal(5, f.Put("foo", "c").Header.Revision);
        kv = f.Get("foo").Kvs[0];
        Assert.Equal((5L, 5L, 1L), (kv.CreateRevision, kv.ModRevision, kv.Version));
        Assert.Equal("b", f.Get("foo", rev: 3).Kvs[0].Value.ToStringUtf8());
        Assert.Empty(f.Get("foo", rev: 4).Kvs);
    }

    [Fact]
    public void Put_Leases_ReportedAndRestoredOnOpen()
    {
        using var f = new StoreFixture();
        var put = f.Store.Put(new PutRequest { Key = B("a"), Value = B("1"), Lease = 7 }, f.NextIndex());
        Assert.Equal(new LeaseChange(B("a"), 0, 7), Assert.Single(put.LeaseChanges));
        put = f.Store.Put(new PutRequest { Key = B("a"), Value = B("2"), Lease = 7 }, f.NextIndex());
        Assert.Empty(put.LeaseChanges);
        put = f.Store.Put(new PutRequest { Key = B("a"), IgnoreValue = true, Lease = 8 }, f.NextIndex());
        Assert.Equal(new LeaseChange(B("a"), 7, 8), Assert.Single(put.LeaseChanges));
        Assert.Equal("2", f.Get("a").Kvs[0].Value.ToStringUtf8());
        f.Store.Put(new PutRequest { Key = B("b"), Value = B("1"), Lease = 9 }, f.NextIndex());
        var del = f.Store.DeleteRange(new DeleteRangeRequest { Key = B("b") }, f.NextIndex());
        Assert.Equal(new LeaseChange(B("b"), 9, 0), Assert.Single(del.LeaseChanges));
        f.Reopen();
        var leases = f.Store.KeyLeases();
        Assert.Equal("a", System.Text.Encoding.UTF8.GetString(Assert.Single(leases).Key));
        Assert.Equal(8, leases[0].Value);
    }

    [Fact]
    public void WriteTxn_BucketsAndKeys_CommitTogetherOrNotAtAll()
    {
        using var f = new StoreFixture();
        using (var tx = f.Store.BeginWrite(f.NextIndex()))
        {
            tx.Put(B("k"), B("v"), 0);
            tx.BucketPut("lease", "1"u8, "ttl=5"u8);
            tx.End();
        }

        // A crash before any commit loses both, and the consistent index says so.
        f.Store.Abandon();
        using (var store = MvccStore.Open(f.Options))
        {
            Assert.Equal(0, store.ConsistentIndex);
            Assert.Null(store.BucketGet("lease", "1"u8));
            Assert.Equal(1, store.CurrentRevision);
            using (var tx = store.BeginWrite(1))
            {
                tx.Put(B("k"), B("v"), 0);
                tx.BucketPut("lease", "1"u8, "ttl=5"u8);
                tx.End();
            }

            store.Commit();
            store.Abandon();
        }

        using (var store = MvccStore.Open(f.Options))
        {
            Assert.Equal(1, store.ConsistentIndex);
            Assert.Equal("ttl=5"u8.ToArray(), store.BucketGet("lease", "1"u8));
            Assert.Single(store.BucketScan("lease"));
            Assert.Equal(2, store.CurrentRevision);
        }
    }

    [Fact]
    public void WriteTxn_AbandonedAfterAChange_FailsTheStore()
    {
        using var f = new StoreFixture();
        using (var tx = f.Store.BeginWrite(f.NextIndex()))
        {
            tx.Put(B("k"), B("v"), 0);
        }

        Assert.Throws<InvalidOperationException>(() => f.Put("x", "y"));
        Assert.Throws<InvalidOperationException>(() => f.Store.Commit());
    }

    [Fact]
    public async Task Snapshot_WhileWriting_RestoresToTheSameState()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 200; i++)
        {
            f.Put($"k{i % 50}", $"v{i}");
        }

        f.Store.Compact(new CompactionRequest { Revision = 100 }, f.NextIndex());
        await f.Store.WhenCompacted().WaitAsync(TimeSpan.FromSeconds(30));
        var expected = f.Get("\0", "\0");
        var ci = f.Store.ConsistentIndex;
        var hash = f.Store.HashKV(0).Response!.Hash;
        using var image = new MemoryStream();
        await f.Store.WriteSnapshotAsync(image, CancellationToken.None);
        f.Put("after", "snapshot");

        using var dir = new TempDir("mvcc-restore");
        var path = dir.Sub("restored.db");
        image.Position = 0;
        await MvccStore.RestoreAsync(image, path, CancellationToken.None);
        using var restored = MvccStore.Open(new MvccOptions { Path = path });
        Assert.Equal(ci, restored.ConsistentIndex);
        Assert.Equal(100, restored.CompactRevision);
        Assert.Equal(expected.Kvs, restored.Range(new RangeRequest { Key = B("\0"), RangeEnd = B("\0") }).Response!.Kvs);
        Assert.Equal(hash, restored.HashKV(0).Response!.Hash);
    }

    [Fact]
    public async Task Restore_BadImage_ClearErrorAndOldStoreIntact()
    {
        using var f = new StoreFixture();
        f.Put("a", "1");
        f.Store.Dispose();
        foreach (var bad in new[] { Array.Empty<byte>(), "not a database at all, just text"u8.ToArray(), new byte[8192] })
        {
            var e = await Assert.ThrowsAsync<BackendException>(() => MvccStore.RestoreAsync(new MemoryStream(bad), f.Options.Path, CancellationToken.None));
            Assert.StartsWith("the snapshot image", e.Message, StringComparison.Ordinal);
        }

        using var store = MvccStore.Open(f.Options);
        Assert.Equal("1", store.Range(new RangeRequest { Key = B("a") }).Response!.Kvs[0].Value.ToStringUtf8());
        Assert.False(File.Exists(f.Options.Path + ".restore.tmp"));
    }

    [Fact]
    public void Open_UnknownSchemaVersionOrForeignFile_ClearError()
    {
        using var dir = new TempDir("mvcc-schema");
        var path = dir.Sub("mvcc.db");
        MvccStore.Open(new MvccOptions { Path = path }).Dispose();
        using (var db = SqliteDb.Open(path, create: false))
        {
            db.Exec("PRAGMA user_version = 2");
        }

        var e = Assert.Throws<BackendException>(() => MvccStore.Open(new MvccOptions { Path = path }));
        Assert.Contains("schema version 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("version 1 only", e.Message, StringComparison.Ordinal);

        var foreign = dir.Sub("other.db");
        using (var db = SqliteDb.Open(foreign, create: true))
        {
            db.Exec("CREATE TABLE t (x INTEGER)");
        }

        e = Assert.Throws<BackendException>(() => MvccStore.Open(new MvccOptions { Path = foreign }));
        Assert.Contains("is not a Kvasir MVCC backend", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Defragment_AfterCompaction_ReclaimsSpace()
    {
        using var f = new StoreFixture();
        var big = new string('x', 2000);
        for (var i = 0; i < 600; i++)
        {
            f.Put($"k{i % 10}", big + i);
        }

        var compact = f.Store.Compact(new CompactionRequest { Revision = f.Store.CurrentRevision }, f.NextIndex());
        await compact.Physical.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(f.Store.DbSizeInUse < f.Store.DbSize / 2, $"in use {f.Store.DbSizeInUse} of {f.Store.DbSize}");
        var (before, after) = f.Store.Defragment();
        Assert.True(after < before / 2, $"{before} -> {after}");
        Assert.Equal(10, f.Get("\0", "\0").Count);
    }

    [Fact]
    public async Task HashKV_BeforeAndAfterPhysicalCompaction_Same()
    {
        using var f = new StoreFixture();
        for (var i = 0; i < 300; i++)
        {
            f.Put($"k{i % 7}", $"v{i}");
            if (i % 11 == 0)
            {
                f.Store.DeleteRange(new DeleteRangeRequest { Key = B($"k{i % 5}") }, f.NextIndex());
            }
        }

        var compact = f.Store.Compact(new CompactionRequest { Revision = 200 }, f.NextIndex());
        var early = f.Store.HashKV(250).Response!.Hash;
        await compact.Physical.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(early, f.Store.HashKV(250).Response!.Hash);
        var whole = f.Store.Hash().Hash;
        f.Reopen();
        Assert.Equal(whole, f.Store.Hash().Hash);
        Assert.Equal(early, f.Store.HashKV(250).Response!.Hash);
    }

    [Fact]
    public void ReadEvents_FilterAndPrevKv_AsAWatcherSeesThem()
    {
        using var f = new StoreFixture();
        f.Put("a", "1");
        f.Put("b", "1");
        f.Put("a", "2");
        f.Store.DeleteRange(new DeleteRangeRequest { Key = B("a") }, f.NextIndex());
        var batch = f.Store.ReadEvents(3, 10, filter: new KeyRange(B("a"), ByteString.Empty), prevKv: true).Response!;
        Assert.Equal(5, batch.Through);
        Assert.Equal(2, batch.Events.Count);
        Assert.Equal((Event.Types.EventType.Put, 4L, "1"), (batch.Events[0].Type, batch.Events[0].Kv.ModRevision, batch.Events[0].PrevKv.Value.ToStringUtf8()));
        Assert.Equal((Event.Types.EventType.Delete, 5L, "2"), (batch.Events[1].Type, batch.Events[1].Kv.ModRevision, batch.Events[1].PrevKv.Value.ToStringUtf8()));
    }

    [Fact]
    public async Task Reads_DuringTxnWrites_NeverSeeHalfATxn()
    {
        using var f = new StoreFixture(batchLimit: 7);
        const int Writes = 3000;
        var writer = Task.Run(() =>
        {
            for (var i = 0; i < Writes; i++)
            {
                var txn = new TxnRequest
                {
                    Success =
                    {
                        new RequestOp { RequestPut = new PutRequest { Key = B("x"), Value = B(i.ToString()) } },
                        new RequestOp { RequestPut = new PutRequest { Key = B("y"), Value = B(i.ToString()) } },
                    },
                };
                f.Store.Txn(txn, f.NextIndex());
                if (i % 500 == 0)
                {
                    f.Store.Compact(new CompactionRequest { Revision = f.Store.CurrentRevision - 10 }, f.NextIndex());
                }
            }
        });
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var reads = 0;
            while (!writer.IsCompleted || reads < 100)
            {
                var r = f.Store.Range(new RangeRequest { Key = B("x"), RangeEnd = B("z") });
                if (r.Response is { Kvs.Count: 2 } resp)
                {
                    Assert.Equal(resp.Kvs[0].Value, resp.Kvs[1].Value);
                    Assert.Equal(resp.Kvs[0].ModRevision, resp.Kvs[1].ModRevision);
                    Assert.Equal(resp.Header.Revision, resp.Kvs[0].ModRevision);
                }

                reads++;
            }
        })).ToArray();
        await writer.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void Dispose_DuringPhysicalCompaction_KeepsUncommittedWrites()
    {
        // A close used to make the compactor fail the store, which rolled the open batch back.
        using var dir = new TempDir("mvcc-close");
        var options = new MvccOptions
        {
            Path = dir.Sub("mvcc.db"),
            BatchInterval = TimeSpan.FromHours(1),
            CompactionBatchLimit = 1,
            CompactionSleepInterval = TimeSpan.Zero,
        };
        for (var round = 0; round < 5; round++)
        {
            long expected;
            using (var store = MvccStore.Open(options))
            {
                var index = store.ConsistentIndex;
                for (var i = 0; i < 400; i++)
                {
                    store.Put(new PutRequest { Key = B($"k{i % 20}"), Value = B($"v{i}") }, ++index);
                }

                store.Commit();
                store.Compact(new CompactionRequest { Revision = store.CurrentRevision }, ++index);
                for (var i = 0; i < 50; i++)
                {
                    store.Put(new PutRequest { Key = B($"late{i}"), Value = B("x") }, ++index);
                }

                expected = store.CurrentRevision;
                Assert.Equal(index, store.ConsistentIndex);
            }

            using (var store = MvccStore.Open(options))
            {
                Assert.Equal(expected, store.CurrentRevision);
                Assert.Equal(50, store.Range(new RangeRequest { Key = B("late"), RangeEnd = B("latf"), CountOnly = true }).Response!.Count);
            }
        }
    }
}

using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Member;

namespace Kvasir.Server.Tests.Member;

/// <summary>
/// What the Raft loop may apply on its own thread (plain puts only: anything whose cost grows with
/// the data goes to the applier's thread) and when (the applier idle with nothing queued).
/// </summary>
public sealed class InlineApplyTests
{
    [Fact]
    public void IsPlainPut_PutWithIdAndHeader_True()
    {
        var r = new InternalRaftRequest { ID = 7, Header = new RequestHeader { ID = 7 }, Put = Put("k") };
        Assert.True(Applier.IsPlainPut(r.ToByteArray()));
    }

    [Fact]
    public void IsPlainPut_PutWithPrevKvAndLease_True()
    {
        var r = new InternalRaftRequest { Header = new RequestHeader { ID = 9 }, Put = new PutRequest { Key = ByteString.CopyFromUtf8("k"), Lease = 5, PrevKv = true } };
        Assert.True(Applier.IsPlainPut(r.ToByteArray()));
    }

    [Fact]
    public void IsPlainPut_OtherRequests_False()
    {
        InternalRaftRequest[] others =
        [
            new() { Header = new RequestHeader { ID = 1 }, DeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8("a"), RangeEnd = ByteString.CopyFrom(0) } },
            new() { Header = new RequestHeader { ID = 2 }, Txn = new TxnRequest { Success = { new RequestOp { RequestPut = Put("k") } } } },
            new() { Header = new RequestHeader { ID = 3 }, LeaseRevoke = new LeaseRevokeRequest { ID = 4 } },
            new() { Header = new RequestHeader { ID = 5 }, LeaseGrant = new LeaseGrantRequest { ID = 4, TTL = 10 } },
            new() { Header = new RequestHeader { ID = 6 }, Compaction = new CompactionRequest { Revision = 2 } },
            new() { Header = new RequestHeader { ID = 8 } },
        ];
        foreach (var r in others)
        {
            Assert.False(Applier.IsPlainPut(r.ToByteArray()), r.ToString());
        }
    }

    [Fact]
    public void IsPlainPut_MalformedOrTruncated_False()
    {
        var bytes = new InternalRaftRequest { Header = new RequestHeader { ID = 7 }, Put = Put("key") }.ToByteArray();
        for (var cut = 1; cut < bytes.Length; cut++)
        {
            // A prefix may end on a field boundary after the put (then it is still a plain put); it must never read past the data.
            _ = Applier.IsPlainPut(bytes.AsSpan(0, cut));
        }

        Assert.False(Applier.IsPlainPut([0x22, 0x05, 0x01]));
        Assert.False(Applier.IsPlainPut([0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]));
        Assert.False(Applier.IsPlainPut([0x22, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]));
        Assert.False(Applier.IsPlainPut([]));
    }

    [Fact]
    public void TryBeginInline_ConsumerBusyOrQueueNonEmpty_False()
    {
        var queue = new ApplyQueue(1_000, 1 << 20);
        var batch = new ApplyBatch([], null, 0);

        // Idle and empty: the producer may apply; until it ends, neither it nor the consumer gets another turn.
        Assert.True(queue.TryBeginInline(CancellationToken.None));
        Assert.False(queue.TryBeginInline(CancellationToken.None));
        queue.EndInline();

        // Queued work must be applied first, in order.
        Assert.True(queue.Add(batch, CancellationToken.None));
        Assert.False(queue.TryBeginInline(CancellationToken.None));

        // Taken but not yet applied: still busy.
        var taken = new List<ApplyBatch>();
        Assert.True(queue.TakeAll(taken, CancellationToken.None));
        Assert.False(queue.TryBeginInline(CancellationToken.None));
        queue.Done();
        Assert.True(queue.TryBeginInline(CancellationToken.None));
        queue.EndInline();

        queue.Complete();
        Assert.False(queue.TryBeginInline(CancellationToken.None));
    }

    [Fact]
    public void TryBeginInline_Cancelled_False()
    {
        var queue = new ApplyQueue(1_000, 1 << 20);
        using var failed = new CancellationTokenSource();
        failed.Cancel();
        Assert.False(queue.TryBeginInline(failed.Token));
    }

    private static PutRequest Put(string key) => new() { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8("v") };
}

using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Tests.Watch.Support;
using Kvasir.Server.Watch;
using static Kvasir.Server.Tests.Watch.Support.HubHarness;
using static Kvasir.Server.Tests.Watch.Support.TestStream;

namespace Kvasir.Server.Tests.Watch;

/// <summary>etcd's fragmenting: a response at the limit (max request bytes + 512 KiB) with two events or more is split for watchers that asked.</summary>
public sealed class WatchHubFragmentTests
{
    // With MaxRequestBytes = 1 the limit is 512 KiB + 1 byte.
    private const int Limit = (512 * 1024) + 1;

    private static long PutBig(HubHarness h, int count, int size)
    {
        var txn = new TxnRequest();
        for (var i = 0; i < count; i++)
        {
            txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = B("big/" + i), Value = Google.Protobuf.ByteString.CopyFrom(new byte[size]) } });
        }

        return h.Txn(txn);
    }

    [Fact]
    public async Task Fragment_LargeResponse_SplitIntoPiecesUnderTheLimit()
    {
        using var h = new HubHarness(new WatchHubOptions { MaxRequestBytes = 1, Random = new Random(1) });
        using var s = h.Open();
        var request = Prefix("big/");
        request.Fragment = true;
        await s.CreateAsync(request);
        var rev = PutBig(h, 5, 200 * 1024);

        var pieces = s.Drain();
        Assert.Equal([2, 2, 1], pieces.Select(p => p.Events.Count));
        Assert.Equal([true, true, false], pieces.Select(p => p.Fragment));
        Assert.All(pieces, p => Assert.Equal(rev, p.Header.Revision));
        Assert.All(pieces, p => Assert.Equal(0, p.WatchId));
        Assert.All(pieces.SkipLast(1), p => Assert.True(p.CalculateSize() < Limit));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => "big/" + i), pieces.SelectMany(p => p.Events).Select(e => e.Kv.Key.ToStringUtf8()));
    }

    [Fact]
    public async Task Fragment_NotAsked_OneResponseWhateverItsSize()
    {
        using var h = new HubHarness(new WatchHubOptions { MaxRequestBytes = 1, Random = new Random(1) });
        using var s = h.Open();
        await s.CreateAsync(Prefix("big/"));
        PutBig(h, 5, 200 * 1024);
        var only = Assert.Single(s.Drain());
        Assert.Equal(5, only.Events.Count);
        Assert.False(only.Fragment);
    }

    [Fact]
    public async Task Fragment_SingleHugeEvent_NotSplit()
    {
        using var h = new HubHarness(new WatchHubOptions { MaxRequestBytes = 1, Random = new Random(1) });
        using var s = h.Open();
        var request = Prefix("big/");
        request.Fragment = true;
        await s.CreateAsync(request);
        PutBig(h, 1, 700 * 1024);
        var only = Assert.Single(s.Drain());
        Assert.False(only.Fragment);
        Assert.True(only.CalculateSize() > Limit);
    }

    [Fact]
    public async Task Fragment_UnderTheLimit_OneResponseNotMarked()
    {
        using var h = new HubHarness(new WatchHubOptions { MaxRequestBytes = 1, Random = new Random(1) });
        using var s = h.Open();
        var request = Prefix("big/");
        request.Fragment = true;
        request.PrevKv = true;
        await s.CreateAsync(request);
        PutBig(h, 3, 100 * 1024);
        var only = Assert.Single(s.Drain());
        Assert.Equal(3, only.Events.Count);
        Assert.False(only.Fragment);
    }
}

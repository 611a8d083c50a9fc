using System.Buffers.Binary;
using Google.Protobuf;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Server.Lease;
using Kvasir.Server.Tests.Lease.Support;

namespace Kvasir.Server.Tests.Lease;

/// <summary>Grants, revokes and key attachment as the applier drives them, over a real MVCC store.</summary>
public sealed class LessorApplyTests
{
    [Fact]
    public void ApplyGrant_ClientChosenId_AnswersIdTtlAndPersistsEtcdBytes()
    {
        using var fx = new LessorFixture();
        var r = fx.Propose(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { ID = 0x1234, TTL = 30 } });

        var response = Assert.IsType<LeaseGrantResponse>(r.Response);
        Assert.Equal(0x1234, response.ID);
        Assert.Equal(30, response.TTL);
        Assert.Equal(fx.Member.ClusterId, response.Header.ClusterId);
        var key = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, 0x1234);
        var stored = Api.Leasepb.Lease.Parser.ParseFrom(fx.Store.BucketGet(Lessor.Bucket, key));
        Assert.Equal(new Api.Leasepb.Lease { ID = 0x1234, TTL = 30 }, stored);
        Assert.True(fx.Lessor.Exists(0x1234));
    }

    [Fact]
    public void NewLeaseId_ManyDraws_PositiveNonZeroAndNeverALiveId()
    {
        using var fx = new LessorFixture(new LessorOptions { Random = new Random(11) });
        var seen = new HashSet<long>();
        for (var i = 0; i < 200; i++)
        {
            var id = fx.Grant(60);
            Assert.True(id > 0);
            Assert.True(seen.Add(id), $"id {id:x16} drawn twice");
        }

        Assert.Equal(200, fx.Lessor.Count);
    }

    [Fact]
    public void ApplyGrant_IdZeroInTheLog_EveryMemberPicksTheSameId()
    {
        using var a = new LessorFixture();
        using var b = new LessorFixture(leader: false);
        var ra = (LeaseGrantResponse)a.Propose(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { TTL = 10 } }).Response!;
        var rb = (LeaseGrantResponse)b.Propose(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { TTL = 10 } }).Response!;
        Assert.True(ra.ID > 0);
        Assert.Equal(ra.ID, rb.ID);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(1, 2)]
    [InlineData(-5, 2)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    public void ApplyGrant_TtlBelowMinimum_RaisedToMinimum(long asked, long granted)
    {
        using var fx = new LessorFixture();
        var r = (LeaseGrantResponse)fx.Propose(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { ID = 5, TTL = asked } }).Response!;
        Assert.Equal(granted, r.TTL);
        Assert.Equal(granted, fx.Lessor.TimeToLive(5, false)!.GrantedTTL);
    }

    [Fact]
    public void ApplyGrant_TtlAboveMaximum_TooLargeAndNothingChanges()
    {
        using var fx = new LessorFixture();
        var ok = fx.Propose(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { ID = 1, TTL = Lessor.MaxLeaseTtl } });
        Assert.Null(ok.Error);

        var r = fx.Propose(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { ID = 2, TTL = Lessor.MaxLeaseTtl + 1 } });
        Assert.Equal(EtcdErrors.LeaseTtlTooLarge, r.Error);
        Assert.Equal("etcdserver: too large lease TTL", r.Error!.Message);
        Assert.False(fx.Lessor.Exists(2));
        Assert.Single(fx.Store.BucketScan(Lessor.Bucket));
    }

    [Fact]
    public void ApplyGrant_LiveId_LeaseAlreadyExistsAndTheFirstStays()
    {
        using var fx = new LessorFixture();
        fx.Grant(20, id: 9);
        var r = fx.Propose(new InternalRaftRequest { LeaseGrant = new LeaseGrantRequest { ID = 9, TTL = 99 } });
        Assert.Equal(EtcdErrors.LeaseExist, r.Error);
        Assert.Equal(20, fx.Lessor.TimeToLive(9, false)!.GrantedTTL);
        Assert.Single(fx.Store.BucketScan(Lessor.Bucket));
    }

    [Fact]
    public void ApplyRevoke_UnknownId_NotFoundAndRevisionStays()
    {
        using var fx = new LessorFixture();
        fx.Put("a", "1", 0);
        var before = fx.Store.CurrentRevision;
        var r = fx.Propose(new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = 77 } });
        Assert.Equal(EtcdErrors.LeaseNotFound, r.Error);
        Assert.Equal("etcdserver: requested lease not found", r.Error!.Message);
        Assert.Equal(before, fx.Store.CurrentRevision);
    }

    [Fact]
    public void ApplyRevoke_LeaseWithKeys_DeletesThemInKeyOrderInOneRevision()
    {
        using var fx = new LessorFixture();
        var id = fx.Grant(60);
        fx.Put("k/c", "3", id);
        fx.Put("k/a", "1", id);
        fx.Put("k/b", "2", id);
        fx.Put("k/free", "x", 0);
        var before = fx.Store.CurrentRevision;

        var r = fx.Propose(new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = id } });

        var response = Assert.IsType<LeaseRevokeResponse>(r.Response);
        Assert.Equal(before + 1, fx.Store.CurrentRevision);
        Assert.Equal(before + 1, response.Header.Revision);
        var (revision, events) = fx.Applier.Writes[^1];
        Assert.Equal(before + 1, revision);
        Assert.Equal(["k/a", "k/b", "k/c"], events.Select(e => e.Kv.Key.ToStringUtf8()).ToArray());
        Assert.All(events, e => Assert.Equal(Event.Types.EventType.Delete, e.Type));
        Assert.All(events, e => Assert.Equal(before + 1, e.Kv.ModRevision));
        Assert.Equal(1, fx.Get("k/", "k0").Count);
        Assert.False(fx.Lessor.Exists(id));
        Assert.Empty(fx.Store.BucketScan(Lessor.Bucket));
    }

    [Fact]
    public void ApplyRevoke_LeaseWithoutKeys_RevisionStays()
    {
        using var fx = new LessorFixture();
        var id = fx.Grant(60);
        var before = fx.Store.CurrentRevision;
        var r = fx.Propose(new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = id } });
        Assert.Null(r.Error);
        Assert.Equal(before, fx.Store.CurrentRevision);
        Assert.Equal(before, ((LeaseRevokeResponse)r.Response!).Header.Revision);
    }

    [Fact]
    public void Put_UnknownLease_NotFoundAndNothingWritten()
    {
        using var fx = new LessorFixture();
        var before = fx.Store.CurrentRevision;
        var r = fx.Propose(new InternalRaftRequest { Put = new PutRequest { Key = ByteString.CopyFromUtf8("k"), Lease = 404 } });
        Assert.Equal(EtcdErrors.LeaseNotFound, r.Error);
        Assert.Equal(before, fx.Store.CurrentRevision);
    }

    [Fact]
    public void ApplyLeaseChanges_KeyMovedDetachedAndDeleted_KeysFollow()
    {
        using var fx = new LessorFixture();
        var one = fx.Grant(60);
        var two = fx.Grant(60);
        fx.Put("k", "v", one);
        fx.Put("j", "v", one);
        Assert.Equal(["j", "k"], Keys(fx, one));

        fx.Put("k", "v2", two);
        Assert.Equal(["j"], Keys(fx, one));
        Assert.Equal(["k"], Keys(fx, two));

        fx.Put("j", "v3", 0);
        Assert.Empty(Keys(fx, one));

        fx.Propose(new InternalRaftRequest { DeleteRange = new DeleteRangeRequest { Key = ByteString.CopyFromUtf8("k") } });
        Assert.Empty(Keys(fx, two));

        // Revoking the now empty leases deletes nothing: "j" lives on without a lease.
        fx.Propose(new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = one } });
        Assert.Equal(1, fx.Get("j").Count);
    }

    [Fact]
    public void ApplyLeaseChanges_UnknownLease_Ignored()
    {
        using var fx = new LessorFixture();
        fx.Lessor.ApplyLeaseChanges([new Storage.Mvcc.LeaseChange(ByteString.CopyFromUtf8("k"), 0, 31337)]);
        Assert.False(fx.Lessor.Exists(31337));
    }

    [Fact]
    public void Leases_SeveralTtls_SoonestExpiryFirst()
    {
        using var fx = new LessorFixture();
        fx.Grant(50, id: 1);
        fx.Grant(10, id: 2);
        fx.Grant(30, id: 3);
        Assert.Equal([2L, 3L, 1L], fx.Lessor.Leases());
    }

    [Fact]
    public void TimeToLive_UnknownLease_Null()
    {
        using var fx = new LessorFixture();
        Assert.Null(fx.Lessor.TimeToLive(5, true));
    }

    [Fact]
    public void TimeToLive_ClockMoves_RemainingCountsDownTruncated()
    {
        using var fx = new LessorFixture();
        var id = fx.Grant(10);
        Assert.Equal(10, fx.Lessor.TimeToLive(id, false)!.TTL);
        fx.Clock.Advance(TimeSpan.FromMilliseconds(2500));
        var ttl = fx.Lessor.TimeToLive(id, false)!;
        Assert.Equal(7, ttl.TTL);
        Assert.Equal(10, ttl.GrantedTTL);
    }

    private static string[] Keys(LessorFixture fx, long id) => fx.Lessor.TimeToLive(id, true)!.Keys.Select(k => k.ToStringUtf8()).ToArray();
}

using Kvasir.Api.Mvccpb;
using Kvasir.Grpc;
using Kvasir.Server.Lease;
using Kvasir.Server.Tests.Lease.Support;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Lease;

/// <summary>Expiry decided by the leader and applied through the proposer; renewals; leadership changes. Fake clock throughout.</summary>
public sealed class LessorExpiryTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void RunRound_LeaderPastTtl_RevokesAndDeletesKeysInOneRevision()
    {
        using var fx = new LessorFixture();
        var id = fx.Grant(5);
        fx.Put("svc/b", "2", id);
        fx.Put("svc/a", "1", id);
        var before = fx.Store.CurrentRevision;

        fx.Tick(4 * Second);
        Assert.True(fx.Lessor.Exists(id));

        fx.Tick(1 * Second);
        Assert.False(fx.Lessor.Exists(id));
        Assert.Equal(1, fx.Applier.Revokes);
        Assert.Equal(before + 1, fx.Store.CurrentRevision);
        var (revision, events) = fx.Applier.Writes[^1];
        Assert.Equal(before + 1, revision);
        Assert.Equal(["svc/a", "svc/b"], events.Select(e => e.Kv.Key.ToStringUtf8()).ToArray());
        Assert.All(events, e => Assert.Equal(Event.Types.EventType.Delete, e.Type));
        Assert.Equal(0, fx.Get("svc/", "svc0").Count);
    }

    [Fact]
    public void RunRound_NotLeader_NothingExpires()
    {
        using var fx = new LessorFixture(leader: false);
        var id = fx.Grant(5);
        fx.Tick(TimeSpan.FromHours(1));
        Assert.True(fx.Lessor.Exists(id));
        Assert.Equal(0, fx.Applier.Revokes);
    }

    [Fact]
    public void RunRound_ManyExpired_AtMostTheRevokeRatePerRound()
    {
        // 10 a second with rounds of half a second: 5 per round.
        using var fx = new LessorFixture(new LessorOptions { RevokeRate = 10, Random = new Random(3) });
        for (var i = 0; i < 12; i++)
        {
            fx.Grant(5);
        }

        fx.Tick(6 * Second);
        Assert.Equal(7, fx.Lessor.Count);
        fx.Tick(TimeSpan.FromMilliseconds(500));
        Assert.Equal(2, fx.Lessor.Count);
        fx.Tick(TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, fx.Lessor.Count);
    }

    [Fact]
    public void RunRound_RevokeProposalFails_ProposedAgainAfterTheRetryInterval()
    {
        using var fx = new LessorFixture();
        var id = fx.Grant(2);
        fx.Applier.FailWith = new RpcException(StatusCode.Unavailable, "etcdserver: request timed out");
        fx.Tick(3 * Second);
        Assert.True(fx.Lessor.Exists(id));

        fx.Applier.FailWith = null;
        fx.Tick(Second);
        Assert.True(fx.Lessor.Exists(id));

        // etcd's retry interval: 3 s after the first attempt.
        fx.Tick(2 * Second);
        Assert.False(fx.Lessor.Exists(id));
    }

    [Fact]
    public async Task RenewAsync_Leader_RestartsTheFullTtl()
    {
        using var fx = new LessorFixture();
        var id = fx.Grant(10);
        fx.Tick(8 * Second);
        var renewal = await fx.Lessor.RenewAsync(id, CancellationToken.None);
        Assert.Equal(new LeaseRenewal(LeaseRenewalStatus.Renewed, 10), renewal);

        fx.Tick(8 * Second);
        Assert.True(fx.Lessor.Exists(id));
        Assert.Equal(2, fx.Lessor.TimeToLive(id, false)!.TTL);
        fx.Tick(2 * Second);
        Assert.False(fx.Lessor.Exists(id));
    }

    [Fact]
    public async Task RenewAsync_UnknownLease_NotFound()
    {
        using var fx = new LessorFixture();
        Assert.Equal(LeaseRenewalStatus.NotFound, (await fx.Lessor.RenewAsync(99, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task RenewAsync_NotLeader_NotLeader()
    {
        using var fx = new LessorFixture(leader: false);
        var id = fx.Grant(10);
        Assert.Equal(LeaseRenewalStatus.NotLeader, (await fx.Lessor.RenewAsync(id, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task RenewAsync_ExpiredLease_WaitsForTheRevokeThenNotFound()
    {
        using var fx = new LessorFixture();
        var id = fx.Grant(3);
        fx.Clock.Advance(4 * Second);

        var renewal = fx.Lessor.RenewAsync(id, CancellationToken.None).AsTask();
        Assert.False(renewal.IsCompleted);
        fx.Tick(TimeSpan.Zero);
        Assert.Equal(LeaseRenewalStatus.NotFound, (await renewal.WaitAsync(TimeSpan.FromSeconds(10))).Status);
    }

    [Fact]
    public async Task RenewAsync_ExpiredLeaseThenDemoted_NotLeader()
    {
        using var fx = new LessorFixture();
        var id = fx.Grant(3);
        fx.Clock.Advance(4 * Second);

        var renewal = fx.Lessor.RenewAsync(id, CancellationToken.None).AsTask();
        fx.Lessor.OnLeadershipChanged(false);
        Assert.Equal(LeaseRenewalStatus.NotLeader, (await renewal.WaitAsync(TimeSpan.FromSeconds(10))).Status);
        Assert.True(fx.Lessor.Exists(id));
    }

    [Fact]
    public async Task RenewAsync_ExpiredLeaseAndCallerCancels_Throws()
    {
        using var fx = new LessorFixture();
        var id = fx.Grant(3);
        fx.Clock.Advance(4 * Second);
        using var cancel = new CancellationTokenSource();
        var renewal = fx.Lessor.RenewAsync(id, cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => renewal.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void OnLeadershipChanged_FollowerPromoted_ExtendsByTheElectionTimeout()
    {
        using var fx = new LessorFixture(new LessorOptions { PromotionExtension = TimeSpan.FromSeconds(1), Random = new Random(5) }, leader: false);
        var id = fx.Grant(10);
        fx.Clock.Advance(TimeSpan.FromMinutes(10));
        fx.Lessor.OnLeadershipChanged(true);
        Assert.Equal(11, fx.Lessor.TimeToLive(id, false)!.TTL);

        fx.Tick(10 * Second);
        Assert.True(fx.Lessor.Exists(id));
        fx.Tick(Second);
        Assert.False(fx.Lessor.Exists(id));
    }

    [Fact]
    public void OnLeadershipChanged_Demoted_NothingExpiresUntilPromotedAgain()
    {
        using var fx = new LessorFixture();
        var id = fx.Grant(5);
        fx.Lessor.OnLeadershipChanged(false);
        Assert.False(fx.Lessor.IsPrimary);
        fx.Tick(TimeSpan.FromMinutes(5));
        Assert.True(fx.Lessor.Exists(id));

        fx.Lessor.OnLeadershipChanged(true);
        fx.Tick(6 * Second);
        Assert.False(fx.Lessor.Exists(id));
    }

    [Fact]
    public void OnLeadershipChanged_MoreLeasesThanTheRevokeRate_ExpiriesSpreadOut()
    {
        // Rate 8: at most 6 expiries in a one-second window after promotion; 20 leases of equal TTL spread over later seconds.
        using var fx = new LessorFixture(new LessorOptions { RevokeRate = 8, PromotionExtension = TimeSpan.Zero, Random = new Random(9) }, leader: false);
        for (var i = 0; i < 20; i++)
        {
            fx.Grant(10);
        }

        fx.Lessor.OnLeadershipChanged(true);
        var remaining = fx.Lessor.Leases().Select(id => fx.Lessor.TimeToLive(id, false)!.TTL).ToArray();
        Assert.Equal(6, remaining.Count(r => r == 10));
        Assert.True(remaining.Max() >= 12, $"expiries not spread: {string.Join(",", remaining)}");
    }

    [Fact]
    public async Task Start_RealLoopOnTheManualClock_ExpiresWithoutBeingDriven()
    {
        using var fx = new LessorFixture(loop: true);
        var id = fx.Grant(2);
        fx.Put("x", "1", id);
        await Poll.UntilAsync(
            () =>
            {
                fx.Clock.Advance(TimeSpan.FromMilliseconds(500));
                return !fx.Lessor.Exists(id);
            },
            TimeSpan.FromSeconds(20),
            "the loop to revoke the expired lease",
            TimeSpan.FromMilliseconds(20));
        Assert.Equal(0, fx.Get("x").Count);
        Assert.False(fx.Lessor.Loop.IsCompleted);
        fx.Lessor.Dispose();
        await fx.Lessor.Loop.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Start_Twice_Throws()
    {
        using var fx = new LessorFixture();
        Assert.Throws<InvalidOperationException>(() => fx.Lessor.Start(fx.Applier));
    }
}

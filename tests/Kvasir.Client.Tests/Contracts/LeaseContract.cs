using Kvasir.Api.Errors;
using Kvasir.Client.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Client.Tests.Contracts;

/// <summary>Leases through the client: grant, time-to-live, list, revoke, keep-alives, and the lease errors.</summary>
public abstract class LeaseContract(ServerFixture server)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    protected ServerFixture Server { get; } = server;

    [ServerFact]
    public async Task GrantTimeToLiveLeasesRevoke_RoundTrip()
    {
        var client = await Server.StartAsync();
        var key = Keys.Unique("lease") + "k";
        var lease = await client.Lease.GrantAsync(60);
        Assert.Equal(60, lease.TTL);
        await client.KV.PutAsync(key, "v", new PutOptions { Lease = lease.ID });
        var ttl = await client.Lease.TimeToLiveAsync(lease.ID, keys: true);
        Assert.Equal(60, ttl.GrantedTTL);
        Assert.InRange(ttl.TTL, 1, 60);
        Assert.Equal(key, Assert.Single(ttl.Keys).ToStringUtf8());
        Assert.Contains((await client.Lease.LeasesAsync()).Leases, l => l.ID == lease.ID);

        await client.Lease.RevokeAsync(lease.ID);
        Assert.Empty((await client.KV.GetAsync(key)).Kvs);
        Assert.Equal(-1, (await client.Lease.TimeToLiveAsync(lease.ID)).TTL);
        Assert.DoesNotContain((await client.Lease.LeasesAsync()).Leases, l => l.ID == lease.ID);
    }

    [ServerFact]
    public async Task Grant_ChosenId_UsedAndThenRefusedAsExisting()
    {
        var client = await Server.StartAsync();
        const long id = 0x1000_0000_4242; // chosen by the test; server-picked ids are random 63-bit numbers, so it does not collide
        var lease = await client.Lease.GrantAsync(30, id);
        Assert.Equal(id, lease.ID);
        var e = await Assert.ThrowsAsync<EtcdException>(() => client.Lease.GrantAsync(30, id));
        Assert.Same(EtcdErrors.LeaseExist, e.Error);
        await client.Lease.RevokeAsync(id);
    }

    [ServerFact]
    public async Task Grant_TtlTooLarge_EtcdsError()
    {
        var client = await Server.StartAsync();
        var e = await Assert.ThrowsAsync<EtcdException>(() => client.Lease.GrantAsync(9_000_000_001));
        Assert.Same(EtcdErrors.LeaseTtlTooLarge, e.Error);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.Lease.GrantAsync(-1));
    }

    [ServerFact]
    public async Task UnknownLease_RevokeAndKeepAliveOnce_LeaseNotFound()
    {
        var client = await Server.StartAsync();
        const long unknown = 0x7777_0000_1234;
        var revoke = await Assert.ThrowsAsync<EtcdException>(() => client.Lease.RevokeAsync(unknown));
        Assert.Same(EtcdErrors.LeaseNotFound, revoke.Error);
        Assert.Equal(Grpc.StatusCode.NotFound, revoke.StatusCode);
        var once = await Assert.ThrowsAsync<EtcdException>(() => client.Lease.KeepAliveOnceAsync(unknown));
        Assert.Same(EtcdErrors.LeaseNotFound, once.Error);
        Assert.Equal(-1, (await client.Lease.TimeToLiveAsync(unknown)).TTL);
    }

    [ServerFact]
    public async Task KeepAliveOnce_LiveLease_RenewsToGrantedTtl()
    {
        var client = await Server.StartAsync();
        var lease = await client.Lease.GrantAsync(45);
        var renewed = await client.Lease.KeepAliveOnceAsync(lease.ID);
        Assert.Equal((lease.ID, 45L), (renewed.ID, renewed.TTL));
        await client.Lease.RevokeAsync(lease.ID);
    }

    [ServerFact]
    public async Task KeepAlive_ShortLease_OutlivesItsTtlWhileRenewed()
    {
        var client = await Server.StartAsync();
        var key = Keys.Unique("lease") + "k";
        var lease = await client.Lease.GrantAsync(2);
        await client.KV.PutAsync(key, "v", new PutOptions { Lease = lease.ID });
        await using var keepAlive = client.Lease.KeepAlive(lease.ID);
        var answers = 0;
        using var bound = new CancellationTokenSource(Bound);

        // Renewals come every TTL/3; five of them span more than the 2 s TTL.
        await foreach (var answer in keepAlive.ReadAllAsync(bound.Token))
        {
            Assert.Equal(lease.ID, answer.ID);
            if (++answers == 5)
            {
                break;
            }
        }

        Assert.Single((await client.KV.GetAsync(key)).Kvs);
        Assert.Equal(KeepAliveEndReason.None, keepAlive.EndReason);
        await client.Lease.RevokeAsync(lease.ID);
    }

    [ServerFact]
    public async Task KeepAlive_LeaseRevokedElsewhere_EndsWithLeaseNotFound()
    {
        // The server does not tell keep-alives about a revocation: the next renewal (every TTL/3) finds out.
        var client = await Server.StartAsync();
        var lease = await client.Lease.GrantAsync(3);
        await using var keepAlive = client.Lease.KeepAlive(lease.ID);
        await Poll.UntilAsync(() => keepAlive.LastResponse is not null, Bound, "the first keep-alive answer");
        await client.Lease.RevokeAsync(lease.ID);
        await Poll.UntilAsync(() => keepAlive.Done.IsCancellationRequested, Bound, "the keep-alive to notice the revocation");
        Assert.Equal(KeepAliveEndReason.LeaseNotFound, keepAlive.EndReason);
    }

    [ServerFact]
    public async Task KeepAlive_UnknownLease_EndsWithLeaseNotFound()
    {
        var client = await Server.StartAsync();
        await using var keepAlive = client.Lease.KeepAlive(0x6666_0000_4321);
        await Poll.UntilAsync(() => keepAlive.Done.IsCancellationRequested, Bound, "the keep-alive to end");
        Assert.Equal(KeepAliveEndReason.LeaseNotFound, keepAlive.EndReason);
    }

    [ServerFact]
    public async Task KeepAlive_ConnectionDropped_RenewingResumes()
    {
        var direct = await Server.StartAsync();
        await using var relay = TcpRelay.Start(Server.Port);
        await using var client = new EtcdClient(new EtcdClientOptions { Endpoints = [relay.Endpoint], DialTimeout = TimeSpan.FromSeconds(2) });
        var lease = await direct.Lease.GrantAsync(3);
        await using var keepAlive = client.Lease.KeepAlive(lease.ID);
        await Poll.UntilAsync(() => keepAlive.LastResponse is not null, Bound, "the first keep-alive answer");
        relay.DropAll();
        var before = keepAlive.LastResponse;
        await Poll.UntilAsync(() => !ReferenceEquals(keepAlive.LastResponse, before), Bound, "a keep-alive answer after the drop");
        Assert.Equal(KeepAliveEndReason.None, keepAlive.EndReason);
        Assert.True(relay.Accepted >= 2);
        await direct.Lease.RevokeAsync(lease.ID);
    }

    [ServerFact]
    public async Task KeepAlive_Disposed_StopsWithoutRevoking()
    {
        var client = await Server.StartAsync();
        var lease = await client.Lease.GrantAsync(60);
        var keepAlive = client.Lease.KeepAlive(lease.ID);
        await Poll.UntilAsync(() => keepAlive.LastResponse is not null, Bound, "the first keep-alive answer");
        await keepAlive.DisposeAsync();
        Assert.True(keepAlive.Done.IsCancellationRequested);
        Assert.Equal(KeepAliveEndReason.Stopped, keepAlive.EndReason);
        Assert.True((await client.Lease.TimeToLiveAsync(lease.ID)).TTL > 0);
        await client.Lease.RevokeAsync(lease.ID);
    }
}

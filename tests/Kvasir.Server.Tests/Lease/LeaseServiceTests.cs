using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Client;
using Kvasir.Server.Lease;
using Kvasir.Server.Services;
using Kvasir.Server.Tests.Lease.Support;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Lease;

/// <summary>The Lease service over gRPC, in-process on Kestrel, called through Kvasir's own gRPC client.</summary>
public sealed class LeaseServiceTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _clock = new();
    private LeaseHost _host = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _host = await LeaseHost.StartAsync(_clock, new LessorOptions { Random = new Random(42) });
        _channel = GrpcChannel.ForEndpoints(_host.Endpoint);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Grant_ServerChosenId_AnswersIdTtlAndTheMembersHeader()
    {
        var r = await _channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = 60 });
        Assert.True(r.ID > 0);
        Assert.Equal(60, r.TTL);
        Assert.Equal(_host.Member.ClusterId, r.Header.ClusterId);
        Assert.Equal(_host.Member.MemberId, r.Header.MemberId);
        Assert.Equal(_host.Member.Term, r.Header.RaftTerm);
        Assert.Equal(1, r.Header.Revision);
    }

    [Fact]
    public async Task Grant_BadRequests_EtcdCodesAndTextsAndNothingChanges()
    {
        await _channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = 60, ID = 7 });
        var tooLarge = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = 9_000_000_001, ID = 8 }));
        Assert.Equal((StatusCode.OutOfRange, "etcdserver: too large lease TTL"), (tooLarge.StatusCode, tooLarge.Status.Detail));
        var exists = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = 5, ID = 7 }));
        Assert.Equal((StatusCode.FailedPrecondition, "etcdserver: lease already exists"), (exists.StatusCode, exists.Status.Detail));
        var revoke = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(LeaseMethods.Revoke, new LeaseRevokeRequest { ID = 404 }));
        Assert.Equal((StatusCode.NotFound, "etcdserver: requested lease not found"), (revoke.StatusCode, revoke.Status.Detail));

        var leases = await _channel.UnaryAsync(LeaseMethods.Leases, new LeaseLeasesRequest());
        Assert.Equal([7L], leases.Leases.Select(l => l.ID));
        Assert.Equal(60, (await _channel.UnaryAsync(LeaseMethods.TimeToLive, new LeaseTimeToLiveRequest { ID = 7 })).GrantedTTL);
    }

    [Fact]
    public async Task Revoke_WithKeys_KeysGoneAtTheAnsweredRevision()
    {
        var lease = await _channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = 60 });
        await _channel.UnaryAsync(EtcdMethods.Put, new PutRequest { Key = ByteString.CopyFromUtf8("a"), Value = ByteString.CopyFromUtf8("1"), Lease = lease.ID });
        await _channel.UnaryAsync(EtcdMethods.Put, new PutRequest { Key = ByteString.CopyFromUtf8("b"), Value = ByteString.CopyFromUtf8("2"), Lease = lease.ID });

        var revoked = await _channel.UnaryAsync(LeaseMethods.Revoke, new LeaseRevokeRequest { ID = lease.ID });
        Assert.Equal(4, revoked.Header.Revision);
        var range = await _channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("a"), RangeEnd = ByteString.CopyFromUtf8("c") });
        Assert.Equal(0, range.Count);
        Assert.Equal(4, range.Header.Revision);
    }

    [Fact]
    public async Task KeepAlive_OneStream_RenewsKnownAndAnswersZeroForUnknown()
    {
        var lease = await _channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = 30 });
        _clock.Advance(TimeSpan.FromSeconds(20));
        using var call = _channel.DuplexStreaming(LeaseMethods.KeepAlive);
        foreach (var id in new[] { lease.ID, 12345L, lease.ID })
        {
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id });
            Assert.True(await call.ResponseStream.MoveNextAsync());
            Assert.Equal(id, call.ResponseStream.Current.ID);
            Assert.Equal(id == lease.ID ? 30 : 0, call.ResponseStream.Current.TTL);
            Assert.Equal(_host.Member.MemberId, call.ResponseStream.Current.Header.MemberId);
        }

        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNextAsync());
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
        Assert.Equal(30, (await _channel.UnaryAsync(LeaseMethods.TimeToLive, new LeaseTimeToLiveRequest { ID = lease.ID })).TTL);
    }

    [Fact]
    public async Task KeepAlive_NotLeader_StreamEndsWithNotLeader()
    {
        var lease = await _channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = 30 });
        _host.Lessor.OnLeadershipChanged(false);
        _host.Member.LeaderId = 0x99;
        using var call = _channel.DuplexStreaming(LeaseMethods.KeepAlive);
        await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease.ID });
        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNextAsync());
        Assert.Equal((StatusCode.FailedPrecondition, "etcdserver: not leader"), (e.StatusCode, e.Status.Detail));

        var ttl = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(LeaseMethods.TimeToLive, new LeaseTimeToLiveRequest { ID = lease.ID }));
        Assert.Equal("etcdserver: not leader", ttl.Status.Detail);

        // Leases is served locally on any member.
        Assert.Single((await _channel.UnaryAsync(LeaseMethods.Leases, new LeaseLeasesRequest())).Leases);
    }

    [Fact]
    public async Task TimeToLive_NoLeaderAndHasLeaderAsked_NoLeader()
    {
        _host.Lessor.OnLeadershipChanged(false);
        _host.Member.LeaderId = 0;
        var options = new CallOptions { Headers = new Metadata().Add("hasleader", "true") };
        var e = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(LeaseMethods.Leases, new LeaseLeasesRequest(), options));
        Assert.Equal((StatusCode.Unavailable, "etcdserver: no leader"), (e.StatusCode, e.Status.Detail));
    }

    [Fact]
    public async Task TimeToLive_UnknownAndKnownWithKeys_MinusOneOrRemainingAndSortedKeys()
    {
        var unknown = await _channel.UnaryAsync(LeaseMethods.TimeToLive, new LeaseTimeToLiveRequest { ID = 5, Keys = true });
        Assert.Equal((5L, -1L, 0L), (unknown.ID, unknown.TTL, unknown.GrantedTTL));
        Assert.True(unknown.Header.MemberId != 0);

        var lease = await _channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = 100 });
        foreach (var key in new[] { "z", "m", "a" })
        {
            await _channel.UnaryAsync(EtcdMethods.Put, new PutRequest { Key = ByteString.CopyFromUtf8(key), Lease = lease.ID });
        }

        _clock.Advance(TimeSpan.FromSeconds(30.5));
        var known = await _channel.UnaryAsync(LeaseMethods.TimeToLive, new LeaseTimeToLiveRequest { ID = lease.ID, Keys = true });
        Assert.Equal((69L, 100L), (known.TTL, known.GrantedTTL));
        Assert.Equal(["a", "m", "z"], known.Keys.Select(k => k.ToStringUtf8()).ToArray());
        Assert.Equal(4, known.Header.Revision);
    }

    [Fact]
    public async Task Put_UnknownLease_NotFound()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(EtcdMethods.Put, new PutRequest { Key = ByteString.CopyFromUtf8("k"), Lease = 31 }));
        Assert.Equal((StatusCode.NotFound, "etcdserver: requested lease not found"), (e.StatusCode, e.Status.Detail));
    }
}

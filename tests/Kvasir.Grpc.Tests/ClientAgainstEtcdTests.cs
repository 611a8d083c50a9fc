using Google.Protobuf;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;
using Kvasir.Grpc.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Grpc.Tests;

/// <summary>Our client against the real etcd 3.4.23: the calls the etcd client makes, and an etcd error with its exact code and text.</summary>
public sealed class ClientAgainstEtcdTests : IClassFixture<ClientAgainstEtcdTests.Etcd>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private readonly Etcd _etcd;

    public ClientAgainstEtcdTests(Etcd etcd)
    {
        _etcd = etcd;
    }

    private GrpcChannel Channel => _etcd.Channel;

    private static CallOptions Deadline() => new() { Deadline = DateTime.UtcNow + Bound };

    [Fact]
    public async Task PutRangeDeleteRange_RealEtcd_RoundTrip()
    {
        var key = ByteString.CopyFromUtf8("kv/" + Guid.NewGuid().ToString("N"));
        var put = await Channel.UnaryAsync(EtcdMethods.Put, new PutRequest { Key = key, Value = ByteString.CopyFromUtf8("v1") }, Deadline());
        Assert.True(put.Header.Revision > 1);

        var range = await Channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = key }, Deadline());
        Assert.Equal("v1", Assert.Single(range.Kvs).Value.ToStringUtf8());
        Assert.Equal(put.Header.Revision, range.Kvs[0].ModRevision);

        var deleted = await Channel.UnaryAsync(EtcdMethods.DeleteRange, new DeleteRangeRequest { Key = key, PrevKv = true }, Deadline());
        Assert.Equal(1, deleted.Deleted);
        Assert.Equal("v1", Assert.Single(deleted.PrevKvs).Value.ToStringUtf8());

        var after = await Channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = key }, Deadline());
        Assert.Empty(after.Kvs);
    }

    [Fact]
    public async Task Txn_RealEtcd_TakesTheBranchTheCompareChooses()
    {
        var key = ByteString.CopyFromUtf8("txn/" + Guid.NewGuid().ToString("N"));
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = key, Target = Compare.Types.CompareTarget.Version, Result = Compare.Types.CompareResult.Equal, Version = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = key, Value = ByteString.CopyFromUtf8("created") } } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = key } } },
        };

        var first = await Channel.UnaryAsync(EtcdMethods.Txn, txn, Deadline());
        Assert.True(first.Succeeded);
        var second = await Channel.UnaryAsync(EtcdMethods.Txn, txn, Deadline());
        Assert.False(second.Succeeded);
        Assert.Equal("created", Assert.Single(second.Responses[0].ResponseRange.Kvs).Value.ToStringUtf8());
    }

    [Fact]
    public async Task Watch_RealEtcd_ReceivesEventsWhileTheTestWrites()
    {
        var prefix = "watch/" + Guid.NewGuid().ToString("N") + "/";
        using var call = Channel.DuplexStreaming(EtcdMethods.Watch, Deadline());
        await call.RequestStream.WriteAsync(new WatchRequest
        {
            CreateRequest = new WatchCreateRequest { Key = ByteString.CopyFromUtf8(prefix), RangeEnd = ByteString.CopyFromUtf8(prefix[..^1] + "0") },
        });
        Assert.True(await call.ResponseStream.MoveNextAsync());
        Assert.True(call.ResponseStream.Current.Created);

        var seen = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await Channel.UnaryAsync(EtcdMethods.Put, new PutRequest { Key = ByteString.CopyFromUtf8(prefix + i), Value = ByteString.CopyFromUtf8("v" + i) }, Deadline());
        }

        while (seen.Count < 3 && await call.ResponseStream.MoveNextAsync())
        {
            foreach (var e in call.ResponseStream.Current.Events)
            {
                seen.Add(e.Kv.Key.ToStringUtf8() + "=" + e.Kv.Value.ToStringUtf8());
            }
        }

        Assert.Equal([prefix + "0=v0", prefix + "1=v1", prefix + "2=v2"], seen);
    }

    [Fact]
    public async Task LeaseGrantThenKeepAlive_RealEtcd_RenewsTheLease()
    {
        var grant = await Channel.UnaryAsync(EtcdMethods.LeaseGrant, new LeaseGrantRequest { TTL = 30 }, Deadline());
        Assert.NotEqual(0, grant.ID);
        Assert.Equal(30, grant.TTL);

        using var call = Channel.DuplexStreaming(EtcdMethods.LeaseKeepAlive, Deadline());
        for (var i = 0; i < 2; i++)
        {
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = grant.ID });
            Assert.True(await call.ResponseStream.MoveNextAsync());
            Assert.Equal(grant.ID, call.ResponseStream.Current.ID);
            Assert.Equal(30, call.ResponseStream.Current.TTL);
        }
    }

    [Fact]
    public async Task RangeAtCompactedRevision_RealEtcd_OutOfRangeWithEtcdsMessage()
    {
        var key = ByteString.CopyFromUtf8("compact/" + Guid.NewGuid().ToString("N"));
        var first = await Channel.UnaryAsync(EtcdMethods.Put, new PutRequest { Key = key, Value = ByteString.CopyFromUtf8("a") }, Deadline());
        var second = await Channel.UnaryAsync(EtcdMethods.Put, new PutRequest { Key = key, Value = ByteString.CopyFromUtf8("b") }, Deadline());
        await Channel.UnaryAsync(EtcdMethods.Compact, new CompactionRequest { Revision = second.Header.Revision, Physical = true }, Deadline());

        var e = await Assert.ThrowsAsync<RpcException>(() => Channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = key, Revision = first.Header.Revision }, Deadline()));
        Assert.Equal((StatusCode)(int)EtcdErrors.Compacted.Code, e.StatusCode);
        Assert.Equal(StatusCode.OutOfRange, e.StatusCode);
        Assert.Equal(EtcdErrors.Compacted.Message, e.Message);
        Assert.Same(EtcdErrors.Compacted, EtcdErrors.FromMessage(e.Status.Detail));
    }

    /// <summary>One real etcd for the class: starting it is the slow part.</summary>
    public sealed class Etcd : IAsyncLifetime
    {
        private EtcdServer _server = null!;

        public GrpcChannel Channel { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _server = await EtcdServer.StartAsync();
            Channel = GrpcChannel.ForEndpoints(_server.Endpoint);
        }

        public async Task DisposeAsync()
        {
            Channel.Dispose();
            await _server.DisposeAsync();
        }
    }
}

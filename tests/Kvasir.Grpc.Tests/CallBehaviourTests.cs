using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;
using Kvasir.Grpc.Server;
using Kvasir.Grpc.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Grpc.Tests;

/// <summary>What a call does at its edges: deadlines, unknown methods, failing handlers, metadata, trailers and statuses.</summary>
public sealed class CallBehaviourTests
{
    private static readonly RangeRequest AnyRange = new() { Key = ByteString.CopyFromUtf8("k") };

    [Fact]
    public async Task Deadline_HandlerWaitsOnItsToken_HandlerCancelledAndClientGetsDeadlineExceeded()
    {
        var handlerCancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        DateTime? serverDeadline = null;
        await using var server = await TestServer.StartAsync(router => router.AddUnary(EtcdMethods.Range, async (_, context) =>
        {
            serverDeadline = context.Deadline;
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                handlerCancelled.TrySetResult(context.IsDeadlineExceeded || context.CancellationToken.IsCancellationRequested);
                throw;
            }

            return new RangeResponse();
        }));

        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        var deadline = DateTime.UtcNow.AddMilliseconds(300);
        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EtcdMethods.Range, AnyRange, new CallOptions { Deadline = deadline }));
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
        Assert.True(await handlerCancelled.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.NotNull(serverDeadline);
    }

    [Fact]
    public async Task Deadline_GrpcTimeoutHeader_ServerAnswersDeadlineExceededItself()
    {
        await using var server = await TestServer.StartAsync(router => router.AddUnary(EtcdMethods.Range, async (_, context) =>
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new RangeResponse();
        }));

        using var client = RawGrpc.CreateClient();
        var answer = await RawGrpc.CallAsync(client, server.Url() + EtcdMethods.Range.FullName, [RawGrpc.Frame(0, 0, [])], [new("grpc-timeout", "200m")]);
        Assert.Equal(StatusCode.DeadlineExceeded, answer.Status);
    }

    [Fact]
    public async Task Deadline_InjectedClock_FiresOnlyWhenTheClockPassesIt()
    {
        var clock = new ManualTimeProvider();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        DateTime? deadline = null;
        await using var server = await TestServer.StartAsync(
            router => router.AddUnary(EtcdMethods.Range, async (_, context) =>
            {
                deadline = context.Deadline;
                entered.TrySetResult();
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
                return new RangeResponse();
            }),
            options: new GrpcServerOptions { TimeProvider = clock });

        using var client = RawGrpc.CreateClient();
        var call = RawGrpc.CallAsync(client, server.Url() + EtcdMethods.Range.FullName, [RawGrpc.Frame(0, 0, [])], [new("grpc-timeout", "30S")]);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(clock.GetUtcNow().UtcDateTime.AddSeconds(30), deadline);

        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.False(call.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        var answer = await call.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(StatusCode.DeadlineExceeded, answer.Status);
    }

    [Fact]
    public async Task Deadline_MalformedGrpcTimeout_InternalAndHandlerNotCalled()
    {
        var called = false;
        await using var server = await TestServer.StartAsync(router => router.AddUnary(EtcdMethods.Range, (_, _) =>
        {
            called = true;
            return new ValueTask<RangeResponse>(new RangeResponse());
        }));
        using var client = RawGrpc.CreateClient();
        var answer = await RawGrpc.CallAsync(client, server.Url() + EtcdMethods.Range.FullName, [RawGrpc.Frame(0, 0, [])], [new("grpc-timeout", "soon")]);
        Assert.Equal(StatusCode.Internal, answer.Status);
        Assert.Equal("grpc: malformed grpc-timeout: \"soon\"", answer.Message);
        Assert.False(called);
    }

    [Fact]
    public async Task Deadline_AlreadyPast_ClientFailsWithoutSending()
    {
        using var channel = GrpcChannel.ForEndpoints("127.0.0.1:1");
        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EtcdMethods.Range, AnyRange, new CallOptions { Deadline = DateTime.UtcNow.AddSeconds(-1) }));
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
    }

    [Fact]
    public async Task Deadline_ExpiresBeforeAStreamStarts_StatusIsDeadlineExceeded()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        using var call = channel.ServerStreaming(EtcdMethods.RangeEach, new RangeRequest { Limit = 1 }, new CallOptions { Deadline = DateTime.UtcNow.AddTicks(1) });
        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNextAsync());
        Assert.Equal(StatusCode.DeadlineExceeded, e.StatusCode);
    }

    [Fact]
    public async Task Cancellation_CallerCancels_OperationCanceled()
    {
        await using var server = await TestServer.StartAsync(router => router.AddUnary(EtcdMethods.Range, async (_, context) =>
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return new RangeResponse();
        }));
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => channel.UnaryAsync(EtcdMethods.Range, AnyRange, new CallOptions { CancellationToken = cts.Token }));
    }

    [Fact]
    public async Task UnknownMethodOrService_Unimplemented()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);

        var unknownMethod = Method.Create(MethodType.Unary, "etcdserverpb.KV", "Nope", RangeRequest.Parser, RangeResponse.Parser);
        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(unknownMethod, AnyRange));
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.Equal("unknown method Nope for service etcdserverpb.KV", e.Message);

        var unknownService = Method.Create(MethodType.Unary, "nobody.Home", "Range", RangeRequest.Parser, RangeResponse.Parser);
        e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(unknownService, AnyRange));
        Assert.Equal(StatusCode.Unimplemented, e.StatusCode);
        Assert.Equal("unknown service nobody.Home", e.Message);
    }

    [Fact]
    public async Task HandlerThrows_UnknownAndTheConnectionKeepsServing()
    {
        var calls = 0;
        await using var server = await TestServer.StartAsync(router => router.AddUnary(EtcdMethods.Range, (request, _) =>
            Interlocked.Increment(ref calls) == 1
                ? throw new InvalidOperationException("boom")
                : new ValueTask<RangeResponse>(new RangeResponse { Count = 1 })));
        using var channel = new GrpcChannel(new GrpcChannelOptions { Endpoints = [server.Endpoint], EnableMultipleHttp2Connections = false });

        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EtcdMethods.Range, AnyRange));
        Assert.Equal(StatusCode.Unknown, e.StatusCode);
        Assert.Equal("Exception was thrown by handler.", e.Message);
        Assert.Equal(1, (await channel.UnaryAsync(EtcdMethods.Range, AnyRange)).Count);
    }

    [Fact]
    public async Task HandlerThrowsMidStream_StatusInTrailersAfterTheMessages()
    {
        await using var server = await TestServer.StartAsync(router => router.AddServerStreaming(EtcdMethods.RangeEach, async (request, responses, context) =>
        {
            await responses.WriteAsync(new RangeResponse { Count = 1 }, context.CancellationToken);
            throw new RpcException(StatusCode.Unavailable, "etcdserver: no leader");
        }));
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        using var call = channel.ServerStreaming(EtcdMethods.RangeEach, new RangeRequest { Limit = 5 });
        Assert.True(await call.ResponseStream.MoveNextAsync());
        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNextAsync());
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Equal("etcdserver: no leader", e.Message);
        Assert.Equal(StatusCode.Unavailable, call.GetStatus().Code);
    }

    [Fact]
    public async Task ErrorStatus_NonAsciiDetail_PercentEncodedOnTheWireAndDecodedByTheClient()
    {
        const string detail = "clé 100% ✓ {\"x\"}";
        await using var server = await TestServer.StartAsync(router => router.AddUnary(EtcdMethods.Range, (_, _) => throw new RpcException(StatusCode.FailedPrecondition, detail)));
        using var raw = RawGrpc.CreateClient();
        var answer = await RawGrpc.CallAsync(raw, server.Url() + EtcdMethods.Range.FullName, [RawGrpc.Frame(0, 0, [])]);
        Assert.True(answer.TrailersOnly);
        Assert.Equal("cl%C3%A9 100%25 %E2%9C%93 {\"x\"}", answer.Message);

        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EtcdMethods.Range, AnyRange));
        Assert.Equal(StatusCode.FailedPrecondition, e.StatusCode);
        Assert.Equal(detail, e.Message);
    }

    [Fact]
    public async Task Metadata_RequestHeadersReachTheHandler_TrailersReachTheClient()
    {
        string? token = null, hasLeader = null;
        await using var server = await TestServer.StartAsync(router => router.AddUnary(EtcdMethods.Range, (_, context) =>
        {
            token = context.GetMetadata("token");
            hasLeader = context.GetMetadata("hasleader");
            context.ResponseTrailers.Add("served-by", "test");
            throw new RpcException(StatusCode.PermissionDenied, "etcdserver: permission denied");
        }));
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EtcdMethods.Range, AnyRange, new CallOptions
        {
            Headers = new Metadata().Add("token", "abc.1").Add("hasleader", "true"),
        }));
        Assert.Equal("abc.1", token);
        Assert.Equal("true", hasLeader);
        Assert.Equal("test", e.Trailers.Get("served-by"));
    }

    [Fact]
    public async Task Failover_FirstEndpointDown_CallServedByTheNextAndChannelStaysThere()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);
        var down = $"127.0.0.1:{FreePort.Next()}";
        using var channel = GrpcChannel.ForEndpoints(down, server.Endpoint);
        Assert.Equal(down, channel.CurrentEndpoint.ToString()[7..]);

        var range = await channel.UnaryAsync(EtcdMethods.Range, AnyRange);
        Assert.Single(range.Kvs);
        Assert.Equal(server.Endpoint, channel.CurrentEndpoint.ToString()[7..]);

        using var watch = channel.DuplexStreaming(EtcdMethods.Echo);
        await watch.RequestStream.WriteAsync(new PutRequest { Key = ByteString.CopyFromUtf8("a") });
        Assert.True(await watch.ResponseStream.MoveNextAsync());
    }

    [Fact]
    public async Task Failover_AllEndpointsDown_Unavailable()
    {
        using var channel = GrpcChannel.ForEndpoints($"127.0.0.1:{FreePort.Next()}", $"127.0.0.1:{FreePort.Next()}");
        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EtcdMethods.Range, AnyRange));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);

        using var call = channel.DuplexStreaming(EtcdMethods.Echo);
        var s = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNextAsync());
        Assert.Equal(StatusCode.Unavailable, s.StatusCode);
    }

    [Fact]
    public async Task Failover_ServerAnswersUnavailable_IdempotentCallRetriedOnTheNext()
    {
        await using var refusing = await TestServer.StartAsync(router => router.AddUnary(EtcdMethods.Range, (_, _) => throw new RpcException(StatusCode.Unavailable, "etcdserver: no leader")));
        await using var serving = await TestServer.StartAsync(Shapes.Register);
        using var channel = GrpcChannel.ForEndpoints(refusing.Endpoint, serving.Endpoint);

        Assert.Single((await channel.UnaryAsync(EtcdMethods.Range, AnyRange, new CallOptions { Idempotent = true })).Kvs);

        using var back = GrpcChannel.ForEndpoints(refusing.Endpoint, serving.Endpoint);
        var e = await Assert.ThrowsAsync<RpcException>(() => back.UnaryAsync(EtcdMethods.Range, AnyRange));
        Assert.Equal("etcdserver: no leader", e.Message);
        Assert.Equal(serving.Endpoint, back.CurrentEndpoint.ToString()[7..]);
    }

    [Fact]
    public async Task ResponseAboveTheClientsLimit_ResourceExhaustedUnaryAndStreaming()
    {
        var big = new RangeResponse { Kvs = { new Api.Mvccpb.KeyValue { Value = ByteString.CopyFrom(new byte[10_000]) } } };
        await using var server = await TestServer.StartAsync(router =>
        {
            router.AddUnary(EtcdMethods.Range, (_, _) => new ValueTask<RangeResponse>(big));
            router.AddServerStreaming(EtcdMethods.RangeEach, async (_, responses, context) => await responses.WriteAsync(big, context.CancellationToken));
        });
        using var channel = new GrpcChannel(new GrpcChannelOptions { Endpoints = [server.Endpoint], MaxReceiveMessageSize = 1024 });

        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EtcdMethods.Range, AnyRange));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Equal($"grpc: received message larger than max ({big.CalculateSize()} vs. 1024)", e.Message);

        using var call = channel.ServerStreaming(EtcdMethods.RangeEach, new RangeRequest());
        var s = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNextAsync());
        Assert.Equal(StatusCode.ResourceExhausted, s.StatusCode);
    }

    [Fact]
    public async Task HandlerReturnsNull_UnknownNotACrash()
    {
        await using var server = await TestServer.StartAsync(router => router.AddUnary(EtcdMethods.Range, (_, _) => new ValueTask<RangeResponse>((RangeResponse)null!)));
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EtcdMethods.Range, AnyRange));
        Assert.Equal(StatusCode.Unknown, e.StatusCode);
    }

    [Fact]
    public async Task ConnectionsPerEndpoint_CallsSpreadOverThatManyConnections()
    {
        var connections = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await using var server = await TestServer.StartAsync(router => router.AddUnary(EtcdMethods.Range, (_, context) =>
        {
            connections.TryAdd(context.HttpContext.Connection.Id, 0);
            return new ValueTask<RangeResponse>(new RangeResponse());
        }));
        using var channel = new GrpcChannel(new GrpcChannelOptions { Endpoints = [server.Endpoint], ConnectionsPerEndpoint = 3 });
        for (var i = 0; i < 9; i++)
        {
            await channel.UnaryAsync(EtcdMethods.Range, AnyRange);
        }

        Assert.Equal(3, connections.Count);
    }
}

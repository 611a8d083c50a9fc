using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;
using Kvasir.Grpc.Tests.Support;

namespace Kvasir.Grpc.Tests;

/// <summary>The streaming shapes, many streams on one connection, writers on several threads, and keepalive pings.</summary>
public sealed class StreamingTests
{
    [Fact]
    public async Task ServerStreaming_WritesEveryMessageInOrder()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        using var call = channel.ServerStreaming(EtcdMethods.RangeEach, new RangeRequest { Limit = 300 });
        var counts = new List<long>();
        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            counts.Add(response.Count);
        }

        Assert.Equal(Enumerable.Range(0, 300).Select(i => (long)i), counts);
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
    }

    [Fact]
    public async Task ServerStreaming_NoMessages_OkTrailersOnly()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        using var call = channel.ServerStreaming(EtcdMethods.RangeEach, new RangeRequest { Limit = 0 });
        Assert.False(await call.ResponseStream.MoveNextAsync());
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
    }

    [Fact]
    public async Task LargeMessages_NearTheLimit_RoundTripBothWays()
    {
        var value = new byte[1_500_000];
        new Random(7).NextBytes(value);
        await using var server = await TestServer.StartAsync(router =>
        {
            router.AddUnary(EtcdMethods.Put, (request, _) => new ValueTask<PutResponse>(new PutResponse { PrevKv = new Api.Mvccpb.KeyValue { Value = request.Value } }));
            Shapes.Register(router);
        });
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);

        var echoed = await channel.UnaryAsync(EtcdMethods.Put, new PutRequest { Key = ByteString.CopyFromUtf8("big"), Value = ByteString.CopyFrom(value) });
        Assert.True(echoed.PrevKv.Value.Span.SequenceEqual(value));

        using var call = channel.ClientStreaming(EtcdMethods.PutMany);
        for (var i = 0; i < 3; i++)
        {
            await call.RequestStream.WriteAsync(new PutRequest { Key = ByteString.CopyFromUtf8("big"), Value = ByteString.CopyFrom(value) });
        }

        await call.RequestStream.CompleteAsync();
        Assert.Equal(3L * value.Length, (await call.ResponseAsync).Header.Revision);
    }

    [Fact]
    public async Task ClientStreaming_ServerSeesEveryMessageAndAnswersOnce()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        using var call = channel.ClientStreaming(EtcdMethods.PutMany);
        for (var i = 0; i < 100; i++)
        {
            await call.RequestStream.WriteAsync(new PutRequest { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFrom(new byte[i]) });
        }

        await call.RequestStream.CompleteAsync();
        var response = await call.ResponseAsync;
        Assert.Equal(100, response.Count);
        Assert.Equal(Enumerable.Range(0, 100).Sum(), response.Header.Revision);
    }

    [Fact]
    public async Task Duplex_ManyConcurrentStreamsOnOneConnection_AllEchoed()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);
        using var channel = new GrpcChannel(new GrpcChannelOptions { Endpoints = [server.Endpoint], EnableMultipleHttp2Connections = false });
        const int streams = 200;
        var tasks = new Task<int>[streams];
        for (var s = 0; s < streams; s++)
        {
            var id = s;
            tasks[s] = Task.Run(async () =>
            {
                using var call = channel.DuplexStreaming(EtcdMethods.Echo, new CallOptions { Deadline = DateTime.UtcNow.AddSeconds(30) });
                var echoed = 0;
                for (var i = 0; i < 5; i++)
                {
                    await call.RequestStream.WriteAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"{id}/{i}"), Value = ByteString.CopyFrom(new byte[i]) });
                    Assert.True(await call.ResponseStream.MoveNextAsync());
                    Assert.Equal($"{id}/{i}", call.ResponseStream.Current.PrevKv.Key.ToStringUtf8());
                    echoed++;
                }

                await call.RequestStream.CompleteAsync();
                Assert.False(await call.ResponseStream.MoveNextAsync());
                return echoed;
            });
        }

        var results = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(results, r => Assert.Equal(5, r));
    }

    [Fact]
    public async Task ServerStreamWriter_WritesFromManyTasks_EveryMessageArrivesWhole()
    {
        const int writers = 8, each = 250;
        await using var server = await TestServer.StartAsync(router => router.AddServerStreaming(EtcdMethods.RangeEach, async (request, responses, context) =>
        {
            var tasks = new Task[writers];
            for (var w = 0; w < writers; w++)
            {
                var writer = w;
                tasks[w] = Task.Run(async () =>
                {
                    for (var i = 0; i < each; i++)
                    {
                        // Alternate the two ways in: the non-blocking one falls back to waiting when the queue is full.
                        var message = new RangeResponse { Count = (writer * 1000) + i, Kvs = { new Api.Mvccpb.KeyValue { Value = ByteString.CopyFrom(new byte[i % 300]) } } };
                        if (i % 2 == 0 || !responses.TryWrite(message))
                        {
                            await responses.WriteAsync(message, context.CancellationToken);
                        }
                    }
                });
            }

            await Task.WhenAll(tasks);
        }));

        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        using var call = channel.ServerStreaming(EtcdMethods.RangeEach, new RangeRequest());
        var perWriter = new List<long>[writers];
        for (var w = 0; w < writers; w++)
        {
            perWriter[w] = [];
        }

        await foreach (var response in call.ResponseStream.ReadAllAsync())
        {
            perWriter[response.Count / 1000].Add(response.Count % 1000);
            Assert.Equal((int)(response.Count % 1000) % 300, response.Kvs[0].Value.Length);
        }

        // Each writer's messages arrive complete and in the order it wrote them.
        Assert.All(perWriter, list => Assert.Equal(Enumerable.Range(0, each).Select(i => (long)i), list));
    }

    [Fact]
    public async Task Duplex_ClientDisposesTheCall_HandlerTokenFires()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TestServer.StartAsync(router => router.AddDuplexStreaming(EtcdMethods.Echo, async (requests, responses, context) =>
        {
            using var registration = context.CancellationToken.Register(() => cancelled.TrySetResult());
            await context.WriteResponseHeadersAsync();
            started.TrySetResult();
            while (await requests.MoveNextAsync())
            {
            }
        }));

        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        var call = channel.DuplexStreaming(EtcdMethods.Echo);
        var headers = await call.ResponseHeadersAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(headers);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        call.Dispose();
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task KeepAlivePings_ManyInARow_AllAnsweredAndNoGoAway()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        await stream.WriteAsync(FrameHeader(0, 0x4, 0, 0)); // empty SETTINGS
        const int pings = 60;
        for (var i = 0; i < pings; i++)
        {
            var ping = new byte[9 + 8];
            FrameHeader(8, 0x6, 0, 0).CopyTo(ping, 0);
            BinaryPrimitives.WriteInt64BigEndian(ping.AsSpan(9), i);
            await stream.WriteAsync(ping);
        }

        var acks = 0;
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var header = new byte[9];
        while (acks < pings)
        {
            await stream.ReadExactlyAsync(header, bound.Token);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var payload = new byte[length];
            await stream.ReadExactlyAsync(payload, bound.Token);
            Assert.True(header[3] != 0x7, "the server sent GOAWAY");
            if (header[3] == 0x6 && (header[4] & 0x1) != 0)
            {
                acks++;
            }
        }

        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        Assert.Single((await channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("k") })).Kvs);
    }

    [Fact]
    public async Task ServerStopping_OpenStream_EndsUnavailableWhileUnaryCallsStillServe()
    {
        using var stopping = new CancellationTokenSource();
        var options = new Server.GrpcServerOptions { StoppingToken = stopping.Token };
        await using var server = await TestServer.StartAsync(Shapes.Register, options: options);
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        using var call = channel.DuplexStreaming(EtcdMethods.Echo);
        await call.RequestStream.WriteAsync(new PutRequest { Key = ByteString.CopyFromUtf8("a") });
        Assert.True(await call.ResponseStream.MoveNextAsync());

        await stopping.CancelAsync();
        var e = await Assert.ThrowsAsync<RpcException>(async () => await call.ResponseStream.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.Single((await channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("k") })).Kvs);
    }

    [Fact]
    public async Task Observer_SeesEveryRoutedCallWithItsCode()
    {
        var observer = new RecordingObserver();
        await using var server = await TestServer.StartAsync(Shapes.Register, options: new Server.GrpcServerOptions { Observer = observer });
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        await channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("k") });
        using (var call = channel.ServerStreaming(EtcdMethods.RangeEach, new RangeRequest { Limit = 2 }))
        {
            while (await call.ResponseStream.MoveNextAsync())
            {
            }
        }

        using var raw = RawGrpc.CreateClient();
        await RawGrpc.CallAsync(raw, server.Url() + EtcdMethods.Range.FullName, [RawGrpc.Frame(0, 0, [])], [new("grpc-timeout", "bad")]);

        await Kvasir.Testing.Poll.UntilAsync(() => observer.Completed.Count == 3, TimeSpan.FromSeconds(10), "three completed calls");
        Assert.Equal(3, observer.Started.Count);
        Assert.Contains(("/etcdserverpb.KV/Range", StatusCode.OK), observer.Completed);
        Assert.Contains(("/kvasir.test.Shapes/RangeEach", StatusCode.OK), observer.Completed);
        Assert.Contains(("/etcdserverpb.KV/Range", StatusCode.Internal), observer.Completed);

        // The server stream's one request and two responses; unary calls are not stream messages.
        Assert.Equal((1, 2), (observer.StreamReceived, observer.StreamSent));
    }

    private sealed class RecordingObserver : Server.IGrpcServerObserver
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Started { get; } = new();

        public System.Collections.Concurrent.ConcurrentQueue<(string, StatusCode)> Completed { get; } = new();

        public void CallStarted(string method, MethodType type) => Started.Enqueue(method);

        public void CallCompleted(string method, MethodType type, StatusCode code, TimeSpan elapsed) => Completed.Enqueue((method, code));

        public int StreamReceived => Volatile.Read(ref _streamReceived);

        public int StreamSent => Volatile.Read(ref _streamSent);

        private int _streamReceived;
        private int _streamSent;

        public void StreamMessagesReceived(string method, int count) => Interlocked.Add(ref _streamReceived, count);

        public void StreamMessagesSent(string method, int count) => Interlocked.Add(ref _streamSent, count);
    }

    private static byte[] FrameHeader(int length, byte type, byte flags, int streamId)
    {
        var header = new byte[9];
        header[0] = (byte)(length >> 16);
        header[1] = (byte)(length >> 8);
        header[2] = (byte)length;
        header[3] = type;
        header[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(5), streamId);
        return header;
    }
}


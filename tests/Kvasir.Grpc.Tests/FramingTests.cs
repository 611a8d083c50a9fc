using System.Buffers;
using System.IO.Pipelines;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;
using Kvasir.Grpc.Protocol;
using Kvasir.Grpc.Server;
using Kvasir.Grpc.Tests.Support;

namespace Kvasir.Grpc.Tests;

/// <summary>Length-prefixed framing: any split of a valid stream parses the same; every bad frame gives a clean status and the server keeps serving.</summary>
public sealed class FramingTests
{
    private static readonly Marshaller<PutRequest> PutMarshaller = Marshallers.Protobuf(PutRequest.Parser);

    [Fact]
    public async Task ReadAsync_RandomSplitsOfValidStreams_ParseIdentically()
    {
        var seed = Environment.GetEnvironmentVariable("KVASIR_TEST_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        try
        {
            var random = new Random(seed);
            for (var round = 0; round < 200; round++)
            {
                var messages = RandomMessages(random, random.Next(0, 20));
                var stream = Serialize(messages);
                var pipe = new Pipe();
                var writing = WriteInRandomChunksAsync(pipe.Writer, stream, random);
                var read = new List<PutRequest>();
                while (true)
                {
                    var next = await PipeFrames.ReadAsync(pipe.Reader, PutMarshaller, 1 << 20, "request", CancellationToken.None);
                    if (!next.HasMessage)
                    {
                        break;
                    }

                    read.Add(next.Message);
                }

                await writing;
                Assert.Equal(messages, read);
            }
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"seed {seed}; replay: KVASIR_TEST_SEED={seed} dotnet test tests/Kvasir.Grpc.Tests --filter {nameof(ReadAsync_RandomSplitsOfValidStreams_ParseIdentically)}", e);
        }
    }

    [Fact]
    public async Task ReadAsync_RandomGarbage_OnlyEverThrowsRpcException()
    {
        var seed = Environment.GetEnvironmentVariable("KVASIR_TEST_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        var random = new Random(seed);
        for (var round = 0; round < 500; round++)
        {
            var garbage = new byte[random.Next(1, 64)];
            random.NextBytes(garbage);
            var pipe = new Pipe();
            await WriteInRandomChunksAsync(pipe.Writer, garbage, random);
            try
            {
                while ((await PipeFrames.ReadAsync(pipe.Reader, PutMarshaller, 1024, "request", CancellationToken.None)).HasMessage)
                {
                }
            }
            catch (RpcException e)
            {
                Assert.True(e.StatusCode is StatusCode.Internal or StatusCode.ResourceExhausted, $"seed {seed}: {e.Status}");
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"seed {seed}; replay: KVASIR_TEST_SEED={seed} dotnet test tests/Kvasir.Grpc.Tests --filter {nameof(ReadAsync_RandomGarbage_OnlyEverThrowsRpcException)}", e);
            }
        }
    }

    [Theory]
    [InlineData(0, "truncated header")]
    [InlineData(1, "truncated payload")]
    public async Task ReadAsync_StreamEndsInsideAFrame_Internal(int variant, string what)
    {
        var whole = Serialize([new PutRequest { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("value") }]);
        var cut = variant == 0 ? whole[..3] : whole[..^2];
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(cut);
        await pipe.Writer.CompleteAsync();
        var e = await Assert.ThrowsAsync<RpcException>(async () => await PipeFrames.ReadAsync(pipe.Reader, PutMarshaller, 1024, "request", CancellationToken.None));
        Assert.True(e.StatusCode == StatusCode.Internal, what);
    }

    [Fact]
    public void TryRead_LengthAboveLimit_RefusedFromTheHeaderAlone()
    {
        var header = RawGrpc.Frame(0, 10_000_000, []);
        var result = Frames.TryRead(new ReadOnlySequence<byte>(header), 2048, out _, out _, out var error);
        Assert.Equal(FrameResult.Invalid, result);
        Assert.Equal(StatusCode.ResourceExhausted, error.Code);
        Assert.Equal("grpc: received message larger than max (10000000 vs. 2048)", error.Detail);
    }

    [Fact]
    public async Task RandomSplitsOverTheWire_ClientStreaming_ServerCountsEveryMessage()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);
        using var client = RawGrpc.CreateClient();
        var random = new Random(12345);
        var messages = RandomMessages(random, 50);
        var stream = Serialize(messages);
        var chunks = new List<byte[]>();
        for (var at = 0; at < stream.Length;)
        {
            var n = Math.Min(random.Next(1, 40), stream.Length - at);
            chunks.Add(stream[at..(at + n)]);
            at += n;
        }

        var answer = await RawGrpc.CallAsync(client, server.Url() + EtcdMethods.PutMany.FullName, chunks);
        Assert.Equal(StatusCode.OK, answer.Status);
        var response = RangeResponse.Parser.ParseFrom(answer.Body.AsSpan(5));
        Assert.Equal(messages.Count, response.Count);
        Assert.Equal(messages.Sum(m => (long)m.Value.Length), response.Header.Revision);
    }

    public static TheoryData<string, byte[], StatusCode> BadBodies() => new()
    {
        { "truncated header", [0, 0, 0], StatusCode.Internal },
        { "truncated payload", RawGrpc.Frame(0, 100, new byte[10]), StatusCode.Internal },
        { "oversize length", RawGrpc.Frame(0, 3u << 20, new byte[10]), StatusCode.ResourceExhausted },
        { "compressed flag", RawGrpc.Frame(1, 2, [0x0a, 0x00]), StatusCode.Internal },
        { "unknown flag", RawGrpc.Frame(7, 2, [0x0a, 0x00]), StatusCode.Internal },
        { "garbage", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), StatusCode.Internal },
        { "not protobuf", RawGrpc.Frame(0, 4, [0xff, 0xff, 0xff, 0xff]), StatusCode.Internal },
        { "no message", [], StatusCode.Internal },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadRequestBody_Unary_CleanStatusAndTheServerKeepsServing(string what, byte[] body, StatusCode expected)
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);
        using var client = RawGrpc.CreateClient();

        var answer = await RawGrpc.CallAsync(client, server.Url() + EtcdMethods.Range.FullName, [body]);
        Assert.Equal(200, answer.HttpStatus);
        Assert.True(expected == answer.Status, $"{what}: {answer.Status} {answer.Message}");
        Assert.False(string.IsNullOrEmpty(answer.Message), what);

        // The same connection and a new one both still serve.
        var good = RawGrpc.Frame(0, 3, [0x0a, 0x01, (byte)'k']);
        Assert.Equal(StatusCode.OK, (await RawGrpc.CallAsync(client, server.Url() + EtcdMethods.Range.FullName, [good])).Status);
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        var range = await channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("k") });
        Assert.Equal("k", range.Kvs[0].Key.ToStringUtf8());
    }

    [Fact]
    public async Task OversizeMessage_SmallerConfiguredLimit_ResourceExhausted()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register, options: new GrpcServerOptions { MaxReceiveMessageSize = 1024 });
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFrom(new byte[2000]) }));
        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Equal("grpc: received message larger than max (2003 vs. 1024)", e.Message);

        var ok = await channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFrom(new byte[1000]) });
        Assert.Single(ok.Kvs);
    }

    [Fact]
    public async Task CompressedEncoding_Header_UnimplementedWithIdentityOffered()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);
        using var client = RawGrpc.CreateClient();
        var answer = await RawGrpc.CallAsync(client, server.Url() + EtcdMethods.Range.FullName, [RawGrpc.Frame(1, 2, [1, 2])], [new("grpc-encoding", "gzip")]);
        Assert.Equal(StatusCode.Unimplemented, answer.Status);
        Assert.Equal("grpc: Decompressor is not installed for grpc-encoding \"gzip\"", answer.Message);
    }

    private static List<PutRequest> RandomMessages(Random random, int count)
    {
        var messages = new List<PutRequest>(count);
        for (var i = 0; i < count; i++)
        {
            var value = new byte[random.Next(0, random.Next(2) == 0 ? 50 : 9000)];
            random.NextBytes(value);
            messages.Add(new PutRequest { Key = ByteString.CopyFromUtf8("key" + i), Value = ByteString.CopyFrom(value), Lease = random.Next(3) });
        }

        return messages;
    }

    private static byte[] Serialize(List<PutRequest> messages)
    {
        var writer = new ArrayBufferWriter<byte>();
        foreach (var m in messages)
        {
            Frames.Write(writer, PutMarshaller, m);
        }

        return writer.WrittenSpan.ToArray();
    }

    private static async Task WriteInRandomChunksAsync(PipeWriter writer, byte[] bytes, Random random)
    {
        for (var at = 0; at < bytes.Length;)
        {
            var n = Math.Min(random.Next(1, random.Next(2) == 0 ? 8 : 5000), bytes.Length - at);
            await writer.WriteAsync(bytes.AsMemory(at, n));
            at += n;
        }

        await writer.CompleteAsync();
    }
}

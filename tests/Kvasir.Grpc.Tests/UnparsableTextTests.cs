using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Tests;

/// <summary>The text of the status for bytes that are not a valid message, as etcd 3.4.23 words it.</summary>
public sealed class UnparsableTextTests
{
    [Theory]
    [InlineData(new byte[] { 0x0A, 0x64, 0x01, 0x02, 0x03 }, "unexpected EOF")]
    [InlineData(new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01 }, "unexpected EOF")]
    [InlineData(new byte[] { 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, "proto: integer overflow")]
    public void Unparsable_MalformedPutRequest_EtcdText(byte[] bytes, string expected)
    {
        var e = Assert.ThrowsAny<InvalidProtocolBufferException>(() => PutRequest.Parser.ParseFrom(bytes));
        var status = Frames.Unparsable("request", e);
        Assert.Equal((StatusCode.Internal, "grpc: error unmarshalling request: " + expected), (status.Code, status.Detail));
    }
}

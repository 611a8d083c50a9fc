using System.Buffers;
using Google.Protobuf;
using Kvasir.Grpc.Client;
using Kvasir.Grpc.Health;
using Kvasir.Grpc.Tests.Support;
using ApiHealth = Kvasir.Api.Health;

namespace Kvasir.Grpc.Tests;

/// <summary>grpc.health.v1.Health, with its hand-encoded messages checked against the generated ones.</summary>
public sealed class HealthServiceTests
{
    private static readonly Method<ApiHealth.HealthCheckRequest, ApiHealth.HealthCheckResponse> GeneratedCheck =
        Method.Create(MethodType.Unary, "grpc.health.v1.Health", "Check", ApiHealth.HealthCheckRequest.Parser, ApiHealth.HealthCheckResponse.Parser);

    [Fact]
    public async Task Check_GeneratedClientMessages_ServingThenNotServingThenNotFound()
    {
        var health = new HealthService();
        await using var server = await TestServer.StartAsync(health.Register);
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);

        var response = await channel.UnaryAsync(GeneratedCheck, new ApiHealth.HealthCheckRequest());
        Assert.Equal(ApiHealth.HealthCheckResponse.Types.ServingStatus.Serving, response.Status);

        health.SetStatus("", ServingStatus.NotServing);
        response = await channel.UnaryAsync(GeneratedCheck, new ApiHealth.HealthCheckRequest());
        Assert.Equal(ApiHealth.HealthCheckResponse.Types.ServingStatus.NotServing, response.Status);

        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(GeneratedCheck, new ApiHealth.HealthCheckRequest { Service = "etcdserverpb.KV" }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }

    [Fact]
    public async Task Watch_StatusChanges_StreamedToTheWatcher()
    {
        var health = new HealthService();
        health.SetStatus("kv", ServingStatus.Serving);
        await using var server = await TestServer.StartAsync(health.Register);
        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        using var call = channel.ServerStreaming(HealthService.WatchMethod, new Grpc.Health.HealthCheckRequest("kv"));

        Assert.True(await call.ResponseStream.MoveNextAsync());
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);
        health.SetStatus("kv", ServingStatus.NotServing);
        Assert.True(await call.ResponseStream.MoveNextAsync());
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("etcdserverpb.KV")]
    public void Marshallers_MatchTheGeneratedEncoding(string service)
    {
        var generated = new ApiHealth.HealthCheckRequest { Service = service }.ToByteArray();
        var request = new Grpc.Health.HealthCheckRequest(service);
        var ours = new byte[HealthMarshallers.Request.CalculateSize(request)];
        HealthMarshallers.Request.Serialize(request, ours);
        Assert.Equal(generated, ours);
        Assert.Equal(service, HealthMarshallers.Request.Deserialize(new ReadOnlySequence<byte>(generated)).Service);

        foreach (var status in new[] { ApiHealth.HealthCheckResponse.Types.ServingStatus.Unknown, ApiHealth.HealthCheckResponse.Types.ServingStatus.Serving, ApiHealth.HealthCheckResponse.Types.ServingStatus.ServiceUnknown })
        {
            var bytes = new ApiHealth.HealthCheckResponse { Status = status }.ToByteArray();
            var response = new Grpc.Health.HealthCheckResponse((ServingStatus)(int)status);
            var encoded = new byte[HealthMarshallers.Response.CalculateSize(response)];
            HealthMarshallers.Response.Serialize(response, encoded);
            Assert.Equal(bytes, encoded);
            Assert.Equal((ServingStatus)(int)status, HealthMarshallers.Response.Deserialize(new ReadOnlySequence<byte>(bytes)).Status);
        }
    }

    [Fact]
    public void Deserialize_UnknownFieldsAndGarbage_SkippedOrRefused()
    {
        // Field 2 (varint 5) before field 1 ("a"): the unknown field is skipped.
        var withUnknown = new byte[] { 0x10, 0x05, 0x0a, 0x01, (byte)'a' };
        Assert.Equal("a", HealthMarshallers.Request.Deserialize(new ReadOnlySequence<byte>(withUnknown)).Service);
        Assert.ThrowsAny<Exception>(() => HealthMarshallers.Request.Deserialize(new ReadOnlySequence<byte>([0x0a, 0x09, 0x01])));
    }
}

using System.Buffers;
using System.Text;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;
using Kvasir.Grpc.Hosting;
using Kvasir.Grpc.Protocol;
using Kvasir.Grpc.Server;
using Kvasir.Grpc.Tests.Support;
using Kvasir.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Kvasir.Grpc.Tests;

/// <summary>The small pieces of the protocol, and bad input to the public API refused with a clear error.</summary>
public sealed class ProtocolTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("4952356u", 49_523_560L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("1000n", 10L)]
    [InlineData("99999999H", 3_599_999_964_000_000_000L)]
    public void GrpcTimeout_TryParse_ValidValues(string text, long ticks)
    {
        Assert.True(GrpcTimeout.TryParse(text, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("S")]
    [InlineData("123456789S")]
    [InlineData("-1S")]
    [InlineData("1s")]
    [InlineData("1 S")]
    public void GrpcTimeout_TryParse_MalformedValues_False(string? text)
    {
        Assert.False(GrpcTimeout.TryParse(text, out _));
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(10_000L)]
    [InlineData(50_000_000L)]
    [InlineData(36_000_000_000L)]
    [InlineData(9_000_000_000_000_000L)]
    public void GrpcTimeout_Format_RoundTripsNeverShorter(long ticks)
    {
        var text = GrpcTimeout.Format(TimeSpan.FromTicks(ticks));
        Assert.InRange(text.Length, 2, 9);
        Assert.True(GrpcTimeout.TryParse(text, out var back));
        Assert.True(back.Ticks >= ticks, $"{text} is shorter than {ticks} ticks");
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("100%", "100%25")]
    [InlineData("é", "%C3%A9")]
    [InlineData("line\nbreak", "line%0Abreak")]
    public void PercentEncoding_EncodeDecode_RoundTrip(string text, string wire)
    {
        Assert.Equal(wire, PercentEncoding.Encode(text));
        Assert.Equal(text, PercentEncoding.Decode(wire));
    }

    [Fact]
    public void PercentEncoding_Decode_MalformedEscapesKeptAsTheyAre()
    {
        Assert.Equal("50%", PercentEncoding.Decode("50%"));
        Assert.Equal("%zz!", PercentEncoding.Decode("%zz!"));
    }

    [Theory]
    [InlineData("Token")]
    [InlineData("grpc-status")]
    [InlineData("key bin")]
    [InlineData("x-bin")]
    [InlineData("")]
    public void Metadata_Add_BadKey_ArgumentException(string key)
    {
        Assert.ThrowsAny<ArgumentException>(() => new Metadata().Add(key, "v"));
    }

    [Fact]
    public void Metadata_Add_NonAsciiValue_ArgumentExceptionAndNothingAdded()
    {
        var metadata = new Metadata();
        Assert.Throws<ArgumentException>(() => metadata.Add("token", "ünïcode"));
        Assert.Empty(metadata);
        Assert.Throws<InvalidOperationException>(() => Metadata.Empty.Add("token", "x"));
    }

    [Theory]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "Http2")]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0\0\u0004", "Http2")]
    [InlineData("PRI * HTTP/2", "NeedMore")]
    [InlineData("", "NeedMore")]
    [InlineData("GET / HTTP/1.1\r\n", "Http1")]
    [InlineData("P", "NeedMore")]
    [InlineData("POST /v3/kv/range HTTP/1.1\r\n", "Http1")]
    public void ProtocolSniffer_Classify_TellsTheProtocolAsSoonAsItCan(string first, string expected)
    {
        Assert.Equal(Enum.Parse<ProtocolSniffer.Verdict>(expected), ProtocolSniffer.Classify(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(first))));
    }

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void IsGrpcContentType_OnlyGrpcProper(string? contentType, bool expected)
    {
        Assert.Equal(expected, GrpcProtocol.IsGrpcContentType(contentType));
    }

    [Theory]
    [InlineData("127.0.0.1:2379", "http://127.0.0.1:2379")]
    [InlineData("http://localhost:2379", "http://localhost:2379")]
    [InlineData("https://10.0.0.1:2379/", "https://10.0.0.1:2379")]
    public void GrpcEndpoint_Parse_AcceptsEtcdctlForms(string text, string expected)
    {
        Assert.Equal(expected, GrpcEndpoint.Parse(text).ToString());
    }

    [Theory]
    [InlineData("ftp://host:1")]
    [InlineData("http://host:1/path")]
    [InlineData("http://host:1/?q=1")]
    [InlineData(" ")]
    public void GrpcEndpoint_Parse_BadEndpoint_ArgumentException(string text)
    {
        Assert.ThrowsAny<ArgumentException>(() => GrpcEndpoint.Parse(text));
    }

    [Fact]
    public void GrpcChannelOptions_KeepAliveBelowFiveSeconds_Refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GrpcChannel(new GrpcChannelOptions { Endpoints = ["127.0.0.1:1"], KeepAlivePingDelay = TimeSpan.FromSeconds(1) }));
        Assert.Contains("5 s", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new GrpcChannel(new GrpcChannelOptions { Endpoints = [] }));
    }

    [Fact]
    public async Task GrpcChannel_WrongShapeForTheCall_ArgumentException()
    {
        using var channel = GrpcChannel.ForEndpoints("127.0.0.1:1");
        await Assert.ThrowsAsync<ArgumentException>(() => channel.UnaryAsync(EtcdMethods.Watch, new WatchRequest()));
        Assert.Throws<ArgumentException>(() => channel.DuplexStreaming(EtcdMethods.Range));
    }

    [Fact]
    public void GrpcRouter_DuplicateOrMismatchedMethod_RefusedAndTableUnchanged()
    {
        var router = new GrpcRouter();
        router.AddUnary(EtcdMethods.Range, (_, _) => new ValueTask<RangeResponse>(new RangeResponse()));
        Assert.Throws<ArgumentException>(() => router.AddUnary(EtcdMethods.Range, (_, _) => new ValueTask<RangeResponse>(new RangeResponse())));
        Assert.Throws<ArgumentException>(() => router.AddUnary(EtcdMethods.RangeEach, (_, _) => new ValueTask<RangeResponse>(new RangeResponse())));
        Assert.Equal(["/etcdserverpb.KV/Range"], router.Methods);
    }

    [Fact]
    public void GrpcServerOptions_BadValues_RefusedWhenTheRouterIsBuilt()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpcRouter(new GrpcServerOptions { ResponseStreamCapacity = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GrpcRouter(new GrpcServerOptions { MaxReceiveMessageSize = -1 }));
    }

    [Fact]
    public void Method_BadNames_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => Method.Create(MethodType.Unary, "a/b", "C", RangeRequest.Parser, RangeResponse.Parser));
        Assert.Throws<ArgumentException>(() => Method.Create(MethodType.Unary, "svc", "", RangeRequest.Parser, RangeResponse.Parser));
        Assert.Equal("/etcdserverpb.KV/Range", EtcdMethods.Range.FullName);
    }

    [Fact]
    public async Task ListenCleartext_WithoutAddGrpcTransport_ClearErrorAtStartUp()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => GrpcKestrel.ListenCleartext(kestrel, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0)));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var app = builder.Build();
            await app.StartAsync();
        });
        Assert.Contains("AddGrpcTransport", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListenTls_CertificateWithoutPrivateKey_ArgumentException()
    {
        using var certificates = TestCertificates.Create();
        using var publicOnly = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(certificates.Server.RawData);
        var kestrel = new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions();
        Assert.Throws<ArgumentException>(() => GrpcKestrel.ListenTls(kestrel, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0), new GrpcTlsOptions { ServerCertificate = publicOnly }));
    }
}

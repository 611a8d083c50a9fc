using System.Net;
using System.Net.Sockets;
using System.Text;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;
using Kvasir.Grpc.Hosting;
using Kvasir.Grpc.Tests.Support;
using Kvasir.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Kvasir.Grpc.Tests;

/// <summary>One client port for gRPC and HTTP/1.1, cleartext and TLS, as etcd serves them; mutual TLS against a custom CA.</summary>
public sealed class SamePortTests : IClassFixture<SamePortTests.Certificates>
{
    private readonly TestCertificates _certificates;

    public SamePortTests(Certificates certificates)
    {
        _certificates = certificates.Value;
    }

    [Fact]
    public async Task Cleartext_Http1GetAndH2cGrpc_BothAnsweredOnOnePort()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);

        // A plain HTTP/1.1 request written by hand, as curl would send it.
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, server.Port);
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
            using var reader = new StreamReader(stream, Encoding.ASCII);
            var answer = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
            Assert.Contains("\r\nhttp:HTTP/1.1\r\n", answer, StringComparison.Ordinal);
        }

        using var http = new HttpClient();
        Assert.Equal("http:HTTP/1.1", await http.GetStringAsync(server.Url() + "/version"));

        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        var range = await channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("same-port") });
        Assert.Equal("same-port", range.Kvs[0].Key.ToStringUtf8());
    }

    [Fact]
    public async Task Cleartext_GrpcOverHttp1_CleanInternalStatus()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register);
        using var client = RawGrpc.CreateClient();
        var answer = await RawGrpc.CallAsync(client, server.Url() + EtcdMethods.Range.FullName, [RawGrpc.Frame(0, 0, [])], version: HttpVersion.Version11);
        Assert.Equal(StatusCode.Internal, answer.Status);
        Assert.Contains("HTTP/2", answer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cleartext_SilentConnection_ClosedAfterTheSniffTimeoutWhileOthersServe()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register, limits: new GrpcKestrelLimits { ProtocolSniffTimeout = TimeSpan.FromMilliseconds(300) });
        using var silent = new TcpClient();
        await silent.ConnectAsync(IPAddress.Loopback, server.Port);
        var stream = silent.GetStream();
        await stream.WriteAsync("PRI * HT"u8.ToArray());

        using var channel = GrpcChannel.ForEndpoints(server.Endpoint);
        var range = await channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("k") });
        Assert.Single(range.Kvs);

        // The server closes the undecided connection: the read sees the end of the stream (bounded wait).
        var read = await stream.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, read);
    }

    [Fact]
    public async Task Tls_Http1GetAndGrpc_BothAnsweredOnOnePortByAlpn()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register, new GrpcTlsOptions { ServerCertificate = _certificates.Server });

        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && GrpcKestrelTestHooks.IssuedBy(certificate, _certificates.Ca);
        using var http = new HttpClient(handler);
        Assert.Equal("http:HTTP/1.1", await http.GetStringAsync(server.Url(tls: true) + "/health"));

        using var channel = new GrpcChannel(new GrpcChannelOptions { Endpoints = [server.Url(tls: true)], TrustedCertificateAuthorities = _certificates.CaCollection });
        var range = await channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("tls") });
        Assert.Equal("tls", range.Kvs[0].Key.ToStringUtf8());
    }

    [Fact]
    public async Task Tls_UntrustedServer_ClientRefusesUnavailable()
    {
        await using var server = await TestServer.StartAsync(Shapes.Register, new GrpcTlsOptions { ServerCertificate = _certificates.Server });
        using var channel = GrpcChannel.ForEndpoints(server.Url(tls: true));
        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("k") }));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);

        using var insecure = new GrpcChannel(new GrpcChannelOptions { Endpoints = [server.Url(tls: true)], InsecureSkipVerify = true });
        Assert.Single((await insecure.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("k") })).Kvs);
    }

    [Fact]
    public async Task MutualTls_ClientCertificateOfTheCa_HandlerSeesItsCommonName()
    {
        string? seen = null;
        await using var server = await TestServer.StartAsync(
            router => router.AddUnary(EtcdMethods.Range, (request, context) =>
            {
                seen = context.ClientCertificate?.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false);
                return new ValueTask<RangeResponse>(new RangeResponse { Count = 1 });
            }),
            MutualTls());

        using var channel = new GrpcChannel(new GrpcChannelOptions
        {
            Endpoints = [server.Url(tls: true)],
            TrustedCertificateAuthorities = _certificates.CaCollection,
            ClientCertificates = [_certificates.Client],
        });
        Assert.Equal(1, (await channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("k") })).Count);
        Assert.Equal("alice", seen);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MutualTls_NoOrForeignClientCertificate_Refused(bool foreign)
    {
        var called = false;
        await using var server = await TestServer.StartAsync(
            router => router.AddUnary(EtcdMethods.Range, (_, _) =>
            {
                called = true;
                return new ValueTask<RangeResponse>(new RangeResponse());
            }),
            MutualTls());

        using var channel = new GrpcChannel(new GrpcChannelOptions
        {
            Endpoints = [server.Url(tls: true)],
            TrustedCertificateAuthorities = _certificates.CaCollection,
            ClientCertificates = foreign ? [_certificates.Stranger] : null,
        });
        var e = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFromUtf8("k") }));
        Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        Assert.False(called);
    }

    [Fact]
    public async Task MutualTls_RealEtcdctlWithCaCertAndKey_PutAndGetAsTheCertificatesUser()
    {
        var kv = new FakeKv();
        string? user = null;
        await using var server = await TestServer.StartAsync(
            router =>
            {
                kv.Register(router);
                router.AddUnary(EtcdMethods.Txn, (_, context) =>
                {
                    user = context.ClientCertificate?.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false);
                    return new ValueTask<TxnResponse>(new TxnResponse { Succeeded = true, Header = new ResponseHeader { Revision = 1 } });
                });
            },
            MutualTls());
        using var dir = new Kvasir.Testing.TempDir("grpc-tls");
        var ca = dir.Sub("ca.pem");
        var cert = dir.Sub("client.pem");
        var key = dir.Sub("client-key.pem");
        await File.WriteAllTextAsync(ca, _certificates.Ca.ExportCertificatePem());
        await File.WriteAllTextAsync(cert, _certificates.Client.ExportCertificatePem());
        await File.WriteAllTextAsync(key, System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.GetECDsaPrivateKey(_certificates.Client)!.ExportPkcs8PrivateKeyPem());
        string[] tls = [$"--cacert={ca}", $"--cert={cert}", $"--key={key}"];

        var put = await Kvasir.Testing.Etcdctl.RunAsync(server.Url(tls: true), [.. tls, "put", "secure", "yes"]);
        Assert.True(put.ExitCode == 0, put.ToString());
        var get = await Kvasir.Testing.Etcdctl.RunAsync(server.Url(tls: true), [.. tls, "get", "secure", "--print-value-only"]);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Equal("yes", get.Stdout.Trim());

        // A direct dial (passthrough:///https://...): over TLS etcdctl puts the server name in :authority, so no rewrite is needed.
        var status = await Kvasir.Testing.Etcdctl.RunAsync(server.Url(tls: true), [.. tls, "endpoint", "status"]);
        Assert.True(status.ExitCode == 0, status.ToString());
        Assert.Contains(server.Url(tls: true), status.Stdout, StringComparison.Ordinal);

        var txn = await Kvasir.Testing.Etcdctl.RunAsync(server.Url(tls: true), [.. tls, "txn"], stdin: "\n\n\n");
        Assert.True(txn.ExitCode == 0, txn.ToString());
        Assert.Equal("alice", user);

        var refused = await Kvasir.Testing.Etcdctl.RunAsync(server.Url(tls: true), [$"--cacert={ca}", "--dial-timeout=2s", "--command-timeout=3s", "get", "secure"]);
        Assert.NotEqual(0, refused.ExitCode);
    }

    private GrpcTlsOptions MutualTls() => new()
    {
        ServerCertificate = _certificates.Server,
        ClientCertificateMode = ClientCertificateMode.RequireCertificate,
        ClientCertificateAuthorities = _certificates.CaCollection,
    };

    /// <summary>One set of certificates for the class.</summary>
    public sealed class Certificates : IDisposable
    {
        public TestCertificates Value { get; } = TestCertificates.Create();

        public void Dispose() => Value.Dispose();
    }
}

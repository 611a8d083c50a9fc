using System.Net;
using Kvasir.Grpc.Hosting;
using Kvasir.Grpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Kvasir.Grpc.Tests.Support;

/// <summary>
/// A Kestrel server on a loopback port chosen by the kernel (port 0), hosting a router and a plain
/// HTTP handler behind it that answers <c>http:PROTOCOL</c> to any other request, the way the
/// member hosts gRPC and its HTTP endpoints on one port.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _listen;

    private TestServer(WebApplication app, ListenOptions listen, GrpcRouter router)
    {
        _app = app;
        _listen = listen;
        Router = router;
    }

    public GrpcRouter Router { get; }

    public int Port => _listen.IPEndPoint!.Port;

    /// <summary>host:port, as etcdctl takes it.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    public string Url(bool tls = false) => $"{(tls ? "https" : "http")}://127.0.0.1:{Port}";

    public static async Task<TestServer> StartAsync(Action<GrpcRouter> routes, GrpcTlsOptions? tls = null, GrpcServerOptions? options = null, GrpcKestrelLimits? limits = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpcTransport();
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            GrpcKestrel.ApplyLimits(kestrel, limits);
            var endPoint = new IPEndPoint(IPAddress.Loopback, 0);
            listen = tls is null ? GrpcKestrel.ListenCleartext(kestrel, endPoint, limits) : GrpcKestrel.ListenTls(kestrel, endPoint, tls);
        });

        var app = builder.Build();
        var router = new GrpcRouter(options);
        routes(router);
        app.UseGrpc(router);
        app.Run(context => context.Response.WriteAsync("http:" + context.Request.Protocol));
        await app.StartAsync().ConfigureAwait(false);
        return new TestServer(app, listen!, router);
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(bound.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

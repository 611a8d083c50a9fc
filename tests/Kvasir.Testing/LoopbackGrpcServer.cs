using System.Net;
using Kvasir.Grpc.Hosting;
using Kvasir.Grpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Kvasir.Testing;

/// <summary>
/// A Kestrel server on a loopback port the kernel picks, serving the gRPC routes a test or a
/// benchmark registers (one cleartext port, Kvasir.Grpc's limits, no logging). Streams end when it
/// stops, as a member's do. Dispose stops it within 10 seconds.
/// </summary>
public sealed class LoopbackGrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _listen;

    private LoopbackGrpcServer(WebApplication app, ListenOptions listen)
    {
        _app = app;
        _listen = listen;
    }

    /// <summary>The bound port.</summary>
    public int Port => _listen.IPEndPoint!.Port;

    /// <summary>host:port, as etcdctl takes it.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Starts a server whose router <paramref name="register"/> fills.</summary>
    public static async Task<LoopbackGrpcServer> StartAsync(Action<GrpcRouter> register)
    {
        ArgumentNullException.ThrowIfNull(register);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpcTransport();
        ListenOptions? listen = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            GrpcKestrel.ApplyLimits(kestrel);
            listen = GrpcKestrel.ListenCleartext(kestrel, new IPEndPoint(IPAddress.Loopback, 0));
        });

        var app = builder.Build();
        var router = new GrpcRouter(new GrpcServerOptions { StoppingToken = app.Lifetime.ApplicationStopping });
        register(router);
        app.UseGrpc(router);
        await app.StartAsync().ConfigureAwait(false);
        return new LoopbackGrpcServer(app, listen!);
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(bound.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}

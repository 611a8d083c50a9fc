using System.Net;
using Kvasir.Grpc.Hosting;
using Kvasir.Grpc.Server;
using Kvasir.Server.Watch;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Tests.Watch.Support;

/// <summary>
/// The Watch service hosted on Kestrel on a loopback port the kernel picks, over a harness that
/// plays the member (its store and hub; the test writes through it as the applier would).
/// </summary>
internal sealed class WatchServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ListenOptions _listen;

    private WatchServer(WebApplication app, ListenOptions listen, HubHarness harness, WatchService service)
    {
        _app = app;
        _listen = listen;
        Harness = harness;
        Service = service;
    }

    public HubHarness Harness { get; }

    public WatchService Service { get; }

    /// <summary>host:port, as etcdctl takes it.</summary>
    public string Endpoint => $"127.0.0.1:{_listen.IPEndPoint!.Port}";

    public static async Task<WatchServer> StartAsync(HubHarness harness)
    {
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
        var service = new WatchService(harness.Hub, harness.Member);
        service.Register(router);
        app.UseGrpc(router);
        await app.StartAsync().ConfigureAwait(false);
        return new WatchServer(app, listen!, harness, service);
    }

    public async ValueTask DisposeAsync()
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(bound.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Service.Dispose();
    }
}

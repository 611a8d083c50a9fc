using System.Diagnostics.Metrics;
using Kvasir.Grpc.Health;
using Kvasir.Grpc.Hosting;
using Kvasir.Grpc.Server;
using Kvasir.Server.Config;
using Kvasir.Server.Logging;
using Kvasir.Server.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Hosting;

/// <summary>
/// Hosts one member on Kestrel: gRPC and HTTP/1.1 on each client URL, logging as configured, and
/// the HTTP endpoints operators use. Runs until the host is stopped (SIGTERM, SIGINT).
/// </summary>
public static partial class MemberHost
{
    /// <summary>The meter every Kvasir instrument is created on; /metrics exports it.</summary>
    public const string MeterName = "Kvasir";

    public static async Task<int> RunAsync(LoadedConfig loaded)
    {
        var config = loaded.Config ?? throw new ArgumentException("no configuration to run", nameof(loaded));
        var builder = WebApplication.CreateSlimBuilder();
        KvasirLogging.Configure(builder.Logging, config);
        builder.Services.AddGrpcTransport();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            GrpcKestrel.ApplyLimits(kestrel);
            ClientListeners.Bind(kestrel, config.ListenClientUrls, config.ClientTls);
        });

        using var meter = new Meter(MeterName);
        using var exporter = new PrometheusExporter(MeterName);
        ProcessMetrics.Register(meter);

        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Kvasir.Server.Member");
        foreach (var warning in loaded.Warnings)
        {
            LogConfigWarning(log, warning);
        }

        var health = new HealthService();
        var router = new GrpcRouter(new GrpcServerOptions
        {
            MaxReceiveMessageSize = (int)config.MaxRequestBytes + (512 * 1024),
            StoppingToken = app.Lifetime.ApplicationStopping,
        });
        health.Register(router);
        app.UseGrpc(router);

        app.MapGet("/version", () => Results.Text($$"""{"etcdserver":"{{VersionInfo.EtcdServer}}","etcdcluster":"{{VersionInfo.EtcdCluster}}"}""", "application/json"));
        app.MapGet("/health", () => Results.Text("""{"health":"true","reason":""}""", "application/json"));
        app.MapGet("/metrics", () => Results.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"));

        await app.StartAsync().ConfigureAwait(false);
        LogServing(log, config.Name, string.Join(",", config.ListenClientUrls), VersionInfo.Kvasir);
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    [LoggerMessage(1, LogLevel.Warning, "{Warning}")]
    private static partial void LogConfigWarning(ILogger log, string warning);

    [LoggerMessage(2, LogLevel.Information, "member {Name} serving client requests on {Urls} (kvasir {Version})")]
    private static partial void LogServing(ILogger log, string name, string urls, string version);
}

using System.Diagnostics.Metrics;
using Kvasir.Grpc.Health;
using Kvasir.Grpc.Hosting;
using Kvasir.Grpc.Server;
using Kvasir.Server.Config;
using Kvasir.Server.Gateway;
using Kvasir.Server.Lease;
using Kvasir.Server.Logging;
using Kvasir.Server.Member;
using Kvasir.Server.Metrics;
using Kvasir.Server.Services;
using Kvasir.Server.Watch;
using Kvasir.Storage.Backend;
using Kvasir.Storage.Snap;
using Kvasir.Storage.Wal;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Hosting;

/// <summary>
/// Hosts one member on Kestrel: opens the member's data directory, serves gRPC (KV, Maintenance,
/// Cluster, Health, and whatever <see cref="MemberHostOptions.RegisterServices"/> adds) and
/// HTTP/1.1 (/health, /livez, /readyz, /version, /metrics) on each client URL, and runs until
/// SIGTERM or SIGINT — then stops taking requests, lets those in flight finish, and stops the
/// member (flush, fsync, close). Exit codes: 0 after a graceful stop, 1 when the data directory
/// cannot be used or a fatal error stopped the member (2, for bad flags, is the caller's).
/// </summary>
public static partial class MemberHost
{
    /// <summary>The meter every Kvasir instrument is created on; /metrics exports it.</summary>
    public const string MeterName = "Kvasir";

    public static async Task<int> RunAsync(LoadedConfig loaded, MemberHostOptions? options = null)
    {
        var config = loaded.Config ?? throw new ArgumentException("no configuration to run", nameof(loaded));
        options ??= new MemberHostOptions();
        // No file watching: the member takes no appsettings.json, and a watcher on the content root
        // would see every write to a data directory below it (an inotify event per WAL and SQLite write).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
        KvasirLogging.Configure(builder.Logging, config);
        builder.Services.AddGrpcTransport();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        var roles = new ListenerRoles(config);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            GrpcKestrel.ApplyLimits(kestrel);
            ClientListeners.Bind(kestrel, config.ListenClientUrls, config.ClientTls);
            roles.Bind(kestrel);
        });

        using var meter = new Meter(MeterName);
        using var exporter = new PrometheusExporter(MeterName);
        ProcessMetrics.Register(meter);

        await using var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var log = loggers.CreateLogger("Kvasir.Server.Member");
        foreach (var warning in loaded.Warnings)
        {
            LogConfigWarning(log, warning);
        }

        // The lessor and the watch hub, unless the caller brought its own parts (tests do).
        Lessor? lessor = null;
        WatchHub? hub = null;
        var components = options.Components.Lessor is null && options.Components.WatchHub is null
            ? new MemberComponents
            {
                Lessor = m => lessor = new Lessor(m.Store, m, LessorOptions.From(config) with { Meter = meter }, options.Time, loggers),
                WatchHub = m => hub = new WatchHub(m.Store, m, WatchHubOptionsFor(config, meter), options.Time, loggers),
            }
            : options.Components;

        MemberServer member;
        try
        {
            member = MemberServer.Open(config, components, loggers, meter, options.Time, options.WalDevice);
        }
        catch (Exception e) when (e is WalException or BackendException or SnapCorruptException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            LogCannotStart(log, e.Message, e);
            await Console.Error.WriteLineAsync($"kvasir: cannot start: {e.Message}").ConfigureAwait(false);
            return 1;
        }

        var grpcMetrics = new GrpcServerMetrics(meter, handlingHistogram: config.Metrics == "extensive");
        var router = new GrpcRouter(
            new GrpcServerOptions
            {
                MaxReceiveMessageSize = (int)config.MaxRequestBytes + (512 * 1024),
                StoppingToken = app.Lifetime.ApplicationStopping,
                Observer = grpcMetrics,
            },
            loggers);
        new HealthService().Register(router);
        var kv = new KvService(member);
        kv.Register(router);
        var maintenance = new MaintenanceService(member, log);
        maintenance.Register(router);
        var cluster = new ClusterService(member);
        cluster.Register(router);
        var leases = lessor is null ? null : new LeaseService(lessor, member, member);
        leases?.Register(router);

        if (hub is not null)
        {
            new WatchService(hub, member, loggers).Register(router);
        }

        options.RegisterServices?.Invoke(router, member);
        grpcMetrics.Initialize(router.Methods);
        if (roles.Active)
        {
            app.Use(next => http => roles.InvokeAsync(http, next));
        }

        app.Use(next => http =>
        {
            grpcMetrics.ObserveGrpcRequest(http);
            return next(http);
        });
        app.UseGrpc(router);
        var gateway = GatewayHosting.Create(config, new GatewayServices { Member = member, Kv = kv, Maintenance = maintenance, Cluster = cluster, Lease = leases, Watch = hub }, grpcMetrics, app.Lifetime.ApplicationStopping, options.Time, loggers);
        app.Use(gateway.InvokeAsync);

        // Routing after gRPC, so a gRPC call never goes through endpoint matching.
        app.UseRouting();

        app.MapGet("/version", () => Results.Text($$"""{"etcdserver":"{{VersionInfo.EtcdServer}}","etcdcluster":"{{VersionInfo.EtcdCluster}}"}""", "application/json"));
        HealthEndpoints.Map(app, new HealthChecks(member), meter, member.RequestTimeout);
        app.MapGet("/metrics", () => Results.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"));

        // The lessor's leader-side loops start before the member can lead.
        lessor?.Start(member);
        member.Start();
        try
        {
            await Task.WhenAny(member.WaitReadyAsync(), member.Failed).ConfigureAwait(false);
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e)
        {
            LogCannotStart(log, e.Message, e);
            await Console.Error.WriteLineAsync($"kvasir: cannot serve: {e.Message}").ConfigureAwait(false);
            await member.StopAsync(CancellationToken.None).ConfigureAwait(false);
            hub?.Dispose();
            lessor?.Dispose();
            return 1;
        }

        LogServing(log, config.Name, string.Join(",", config.ListenClientUrls), VersionInfo.Kvasir);
        var shutdown = app.WaitForShutdownAsync();
        var exitCode = 0;
        if (await Task.WhenAny(shutdown, member.Failed).ConfigureAwait(false) != shutdown)
        {
            // Fatal: stop taking requests at once; the member stops without applying more.
            exitCode = 1;
            var fatal = await member.Failed.ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"kvasir: fatal: {fatal.Message}").ConfigureAwait(false);
            app.Lifetime.StopApplication();
            await shutdown.ConfigureAwait(false);
        }

        LogStopping(log, config.Name);
        await member.StopAsync(CancellationToken.None).ConfigureAwait(false);
        hub?.Dispose();
        lessor?.Dispose();
        return exitCode;
    }

    private static WatchHubOptions WatchHubOptionsFor(MemberConfig config, Meter meter) => new()
    {
        ProgressNotifyInterval = config.WatchProgressNotifyInterval < WatchHubOptions.MinProgressNotifyInterval
            ? WatchHubOptions.MinProgressNotifyInterval
            : config.WatchProgressNotifyInterval,
        MaxRequestBytes = (long)config.MaxRequestBytes,
        ElectionTimeout = TimeSpan.FromMilliseconds(config.ElectionMs),
        Meter = meter,
    };

    [LoggerMessage(1, LogLevel.Warning, "{Warning}")]
    private static partial void LogConfigWarning(ILogger log, string warning);

    [LoggerMessage(2, LogLevel.Information, "member {Name} serving client requests on {Urls} (kvasir {Version})")]
    private static partial void LogServing(ILogger log, string name, string urls, string version);

    [LoggerMessage(3, LogLevel.Critical, "cannot start: {Reason}")]
    private static partial void LogCannotStart(ILogger log, string reason, Exception error);

    [LoggerMessage(4, LogLevel.Information, "member {Name} stopping: no new requests; finishing those in flight, then flushing and closing its storage")]
    private static partial void LogStopping(ILogger log, string name);
}

using Kvasir.Server.Config;
using Kvasir.Server.Metrics;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Gateway;

/// <summary>Builds the member's gateway from its configuration (the host maps it after the gRPC router).</summary>
public static class GatewayHosting
{
    public static JsonGateway Create(MemberConfig config, GatewayServices services, GrpcServerMetrics? metrics, CancellationToken stopping, TimeProvider time, ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new GatewayOptions
        {
            Enabled = config.EnableGrpcGateway,
            MaxReceiveMessageSize = (int)config.MaxRequestBytes + (512 * 1024),
            StoppingToken = stopping,
            Time = time,
            CorsOrigins = config.Cors,
        };
        return new JsonGateway(services, options, metrics, logs);
    }
}

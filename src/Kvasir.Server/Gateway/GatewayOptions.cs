using Kvasir.Grpc.Server;

namespace Kvasir.Server.Gateway;

/// <summary>How the gateway is run (the member's configuration gives the values).</summary>
public sealed class GatewayOptions
{
    /// <summary>False for <c>--enable-grpc-gateway=false</c>: every <c>/v3/...</c> path is 404 <c>404 page not found</c>, as etcd's mux answers.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The gRPC server's receive limit (<c>--max-request-bytes</c> + 512 KiB): a request whose protobuf is larger is refused as gRPC refuses it.</summary>
    public int MaxReceiveMessageSize { get; init; } = (int)(1.5 * 1024 * 1024) + (512 * 1024);

    /// <summary>Fires when the member stops: streams end then.</summary>
    public CancellationToken StoppingToken { get; init; }

    /// <summary>Sees every call, as the gRPC router's observer does (etcd counts gateway calls in its gRPC metrics).</summary>
    public IGrpcServerObserver? Observer { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary><c>--cors</c>: the origins answered with CORS headers; empty or <c>*</c> allows all (etcd's default).</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = ["*"];

    /// <summary>The bound on one JSON value of a body: base64 makes bytes a third larger, escapes more.</summary>
    internal int MaxJsonBytes => (int)Math.Min(int.MaxValue, (4L * MaxReceiveMessageSize) + (64 * 1024));
}

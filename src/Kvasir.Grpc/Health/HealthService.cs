using System.Threading.Channels;
using Kvasir.Grpc.Server;

namespace Kvasir.Grpc.Health;

/// <summary>
/// <c>grpc.health.v1.Health</c>: Check answers a service's current status (NOT_FOUND for a service
/// never set); Watch streams the status now and after every change, each watcher seeing the latest
/// (a slow watcher skips intermediate values). The server sets statuses; "" is the whole server.
/// Thread-safe.
/// </summary>
public sealed class HealthService
{
    public const string ServiceName = "grpc.health.v1.Health";

    public static readonly Method<HealthCheckRequest, HealthCheckResponse> CheckMethod =
        new(MethodType.Unary, ServiceName, "Check", HealthMarshallers.Request, HealthMarshallers.Response);

    public static readonly Method<HealthCheckRequest, HealthCheckResponse> WatchMethod =
        new(MethodType.ServerStreaming, ServiceName, "Watch", HealthMarshallers.Request, HealthMarshallers.Response);

    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal);
    private readonly List<(string Service, Channel<ServingStatus> Updates)> _watchers = [];
    private readonly Lock _gate = new();

    /// <summary>A service starts SERVING for "" (the whole server) unless told otherwise.</summary>
    public HealthService(ServingStatus initial = ServingStatus.Serving)
    {
        _statuses[""] = initial;
    }

    /// <summary>Sets a service's status and tells its watchers.</summary>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_gate)
        {
            _statuses[service] = status;
            foreach (var (watched, updates) in _watchers)
            {
                if (string.Equals(watched, service, StringComparison.Ordinal))
                {
                    updates.Writer.TryWrite(status);
                }
            }
        }
    }

    /// <summary>The status of <paramref name="service"/>, or <see cref="ServingStatus.ServiceUnknown"/>.</summary>
    public ServingStatus GetStatus(string service)
    {
        lock (_gate)
        {
            return _statuses.TryGetValue(service, out var status) ? status : ServingStatus.ServiceUnknown;
        }
    }

    /// <summary>Adds Check and Watch to <paramref name="router"/>.</summary>
    public void Register(GrpcRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        router.AddUnary(CheckMethod, CheckAsync);
        router.AddServerStreaming(WatchMethod, WatchAsync);
    }

    private ValueTask<HealthCheckResponse> CheckAsync(HealthCheckRequest request, ServerCallContext context)
    {
        var status = GetStatus(request.Service);
        return status == ServingStatus.ServiceUnknown
            ? throw new RpcException(StatusCode.NotFound, "unknown service")
            : new ValueTask<HealthCheckResponse>(new HealthCheckResponse(status));
    }

    private async ValueTask WatchAsync(HealthCheckRequest request, ServerStreamWriter<HealthCheckResponse> responses, ServerCallContext context)
    {
        // Capacity one, newest wins: a watcher needs the current status, not the history.
        var updates = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });
        var entry = (request.Service, updates);
        lock (_gate)
        {
            updates.Writer.TryWrite(_statuses.TryGetValue(request.Service, out var now) ? now : ServingStatus.ServiceUnknown);
            _watchers.Add(entry);
        }

        try
        {
            var last = (ServingStatus)(-1);
            while (await updates.Reader.WaitToReadAsync(context.CancellationToken).ConfigureAwait(false))
            {
                while (updates.Reader.TryRead(out var status))
                {
                    if (status != last)
                    {
                        last = status;
                        await responses.WriteAsync(new HealthCheckResponse(status), context.CancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(entry);
            }
        }
    }
}

using System.Collections.Frozen;
using Google.Protobuf;
using Kvasir.Grpc;
using Kvasir.Server.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Gateway;

/// <summary>
/// etcd's JSON gateway (grpc-gateway v1 in etcd 3.4) on the member's HTTP port: <c>POST /v3/...</c>
/// with a JSON body calls the member's gRPC method of that path through the same public service
/// methods the gRPC handlers call, and answers JSON as etcd's gateway does (see
/// <see cref="ProtoJson"/>, <see cref="GatewayResponses"/>). <c>/v3beta/...</c> is rewritten to
/// <c>/v3/...</c> (3.4's compatibility rule); an unknown <c>/v3/</c> path is 404 <c>Not Found</c>,
/// a known one with another method 405 <c>Method Not Allowed</c>. The <c>Authorization</c> header
/// travels as the call's auth token and <c>Grpc-Metadata-*</c> headers as metadata
/// (<c>Grpc-Metadata-Hasleader: true</c> is etcd's <c>hasleader</c>), <c>Grpc-Timeout</c> as its deadline.
/// Used as middleware after the gRPC router; paths that are not its own go down the pipeline.
/// </summary>
public sealed partial class JsonGateway
{
    private readonly GatewayServices _services;
    private readonly GatewayOptions _options;
    private readonly FrozenDictionary<string, GatewayRoute> _routes;
    private readonly GrpcServerMetrics? _metrics;
    private readonly ILogger _log;
    private readonly bool _corsAnyOrigin;
    private readonly FrozenSet<string> _corsOrigins;

    public JsonGateway(GatewayServices services, GatewayOptions options, GrpcServerMetrics? metrics, ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logs);
        _services = services;
        _options = options;
        _metrics = metrics;
        _log = logs.CreateLogger("Kvasir.Server.Gateway");
        _routes = GatewayRoutes.Build(services).ToFrozenDictionary(StringComparer.Ordinal);
        _corsAnyOrigin = options.CorsOrigins.Count == 0 || options.CorsOrigins.Contains("*");
        _corsOrigins = options.CorsOrigins.ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The paths served, <c>/v3/kv/range</c> and the rest.</summary>
    public IEnumerable<string> Paths => _routes.Keys;

    /// <summary>The leader's id as the member knows it (0: none).</summary>
    internal ulong LeaderId => _services.Member.LeaderId;

    /// <summary>Answers <c>/v3/...</c> (and <c>/v3beta/...</c>) requests; passes everything else to <paramref name="next"/>.</summary>
    public Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(next);
        var request = http.Request;
        var path = request.Path.Value ?? "";
        if (path.StartsWith("/v3beta/", StringComparison.Ordinal))
        {
            // etcd 3.4's access controller rewrites the 3.3 prefix before anything routes it.
            path = string.Concat("/v3/", path.AsSpan("/v3beta/".Length));
            request.Path = new PathString(path);
        }

        // etcd's access controller: CORS headers on every HTTP answer, OPTIONS answered 200 with nothing else.
        AddCorsHeaders(http);
        if (HttpMethods.IsOptions(request.Method))
        {
            http.Response.StatusCode = StatusCodes.Status200OK;
            return Task.CompletedTask;
        }

        if (!path.StartsWith("/v3/", StringComparison.Ordinal))
        {
            return next(http);
        }

        if (!_options.Enabled)
        {
            // Without the gateway, etcd's mux answers every /v3/ path as an unknown one.
            return GatewayResponses.WriteTextAsync(http, StatusCodes.Status404NotFound, "404 page not found");
        }

        if (!_routes.TryGetValue(path, out var route))
        {
            return GatewayResponses.WriteTextAsync(http, StatusCodes.Status404NotFound, "Not Found");
        }

        if (!HttpMethods.IsPost(request.Method))
        {
            return GatewayResponses.WriteTextAsync(http, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed");
        }

        return HandleAsync(http, route);
    }

    /// <summary>A reader of the call's body, bounded per JSON value.</summary>
    internal GatewayBody Body(GatewayCall call) => new(call.Http.Request.BodyReader, _options.MaxJsonBytes);

    /// <summary>etcd's interceptor and gRPC's receive limit, before the method runs.</summary>
    internal void CheckRequest(GatewayCall call, IMessage request)
    {
        call.CheckLeader(LeaderId);
        var size = request.CalculateSize();
        if (size > _options.MaxReceiveMessageSize)
        {
            throw new RpcException(StatusCode.ResourceExhausted, $"grpc: received message larger than max ({size} vs. {_options.MaxReceiveMessageSize})");
        }
    }

    internal void CallStarted(GatewayRoute route, GatewayCall call)
    {
        if (_metrics is { } metrics)
        {
            metrics.CallStarted(route.GrpcMethod, route.Type);
            metrics.ClientRequest(route.Type, call.ClientApiVersion);
        }
    }

    /// <summary>A message read from a streaming call's body (grpc_server_msg_received_total).</summary>
    internal void MessageReceived(GatewayRoute route) => _metrics?.MessageReceived(route.GrpcMethod);

    /// <summary>A message written on a streaming call (grpc_server_msg_sent_total).</summary>
    internal void MessageSent(GatewayRoute route) => _metrics?.MessageSent(route.GrpcMethod);

    internal void CallCompleted(GatewayRoute route, StatusCode code, TimeSpan elapsed) => _metrics?.CallCompleted(route.GrpcMethod, route.Type, code, elapsed);

    /// <summary>A stream that ends without an error: with nothing sent, etcd's answer is 200 with an empty chunked body.</summary>
    internal void EndStream(GatewayStream output)
    {
        if (!output.Started)
        {
            output.Http.Response.StatusCode = StatusCodes.Status200OK;
            output.Http.Response.ContentType = GatewayResponses.JsonContentType;
        }
    }

    internal void LogFailure(GatewayRoute route, Exception error, Status status)
    {
        if (status.Code is StatusCode.Unknown or StatusCode.Internal)
        {
            LogCallFailed(_log, route.GrpcMethod, status.Detail, error);
        }
    }

    internal void LogBadStreamValue(string reason) => LogStreamValueRefused(_log, reason);

    private void AddCorsHeaders(HttpContext http)
    {
        string? origin = null;
        if (_corsAnyOrigin)
        {
            origin = "*";
        }
        else if (http.Request.Headers.Origin is { Count: > 0 } sent && sent[0] is { } o && _corsOrigins.Contains(o))
        {
            origin = o;
        }

        if (origin is not null)
        {
            var headers = http.Response.Headers;
            headers.AccessControlAllowMethods = "POST, GET, OPTIONS, PUT, DELETE";
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowHeaders = "accept, content-type, authorization";
        }
    }

    private async Task HandleAsync(HttpContext http, GatewayRoute route)
    {
        GatewayCall call;
        try
        {
            call = GatewayCall.Open(http, _options.StoppingToken, _options.Time);
        }
        catch (RpcException e)
        {
            await GatewayResponses.WriteRequestErrorAsync(http, e.Status).ConfigureAwait(false);
            return;
        }

        using (call)
        {
            await route.HandleAsync(call, this).ConfigureAwait(false);
        }
    }

    [LoggerMessage(60, LogLevel.Warning, "gateway call {Method} failed: {Reason}")]
    private static partial void LogCallFailed(ILogger log, string method, string reason, Exception error);

    [LoggerMessage(61, LogLevel.Debug, "gateway stream stopped reading its body: {Reason}")]
    private static partial void LogStreamValueRefused(ILogger log, string reason);
}

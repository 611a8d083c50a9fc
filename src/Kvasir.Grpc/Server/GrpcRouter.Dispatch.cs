using System.Diagnostics;
using Kvasir.Grpc.Protocol;
using Microsoft.AspNetCore.Http;

namespace Kvasir.Grpc.Server;

/// <summary>
/// One call from request headers to status. The status goes in one place: in the response headers
/// (a trailers-only response) when no message was sent, else in the trailers, with
/// <c>grpc-message</c> percent-encoded. A handler's exception never escapes to Kestrel (which would
/// answer HTTP 500 or reset the stream): it becomes UNKNOWN and the connection keeps serving.
/// </summary>
public sealed partial class GrpcRouter
{
    /// <summary>Answers a gRPC request (POST with content-type application/grpc); passes anything else to <paramref name="next"/>.</summary>
    public Task HandleAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) || !GrpcProtocol.IsGrpcContentType(request.ContentType))
        {
            return next(context);
        }

        return DispatchAsync(context);
    }

    private async Task DispatchAsync(HttpContext http)
    {
        var table = Table;
        var request = http.Request;
        var response = http.Response;
        var path = request.Path.Value ?? "";
        response.ContentType = GrpcProtocol.ContentType;

        if (!table.TryGetValue(path, out var method))
        {
            GrpcServerLog.UnknownMethod(_logger, path);
            WriteStatus(http, null, Unimplemented(path));
            return;
        }

        if (!HttpProtocol.IsHttp2(request.Protocol))
        {
            WriteStatus(http, null, new Status(StatusCode.Internal, $"gRPC needs HTTP/2; the request came over {request.Protocol}"));
            return;
        }

        var encoding = request.Headers[GrpcProtocol.EncodingHeader];
        if (encoding.Count != 0 && !string.Equals(encoding[0], GrpcProtocol.Identity, StringComparison.Ordinal))
        {
            response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.IdentityValue;
            Refuse(http, method, new Status(StatusCode.Unimplemented, $"grpc: Decompressor is not installed for grpc-encoding \"{encoding[0]}\""));
            return;
        }

        TimeSpan? timeout = null;
        var timeoutHeader = request.Headers[GrpcProtocol.TimeoutHeader];
        if (timeoutHeader.Count != 0)
        {
            if (!GrpcTimeout.TryParse(timeoutHeader[0], out var parsed))
            {
                Refuse(http, method, new Status(StatusCode.Internal, $"grpc: malformed grpc-timeout: \"{timeoutHeader[0]}\""));
                return;
            }

            timeout = parsed;
        }

        var observer = _options.Observer;
        var started = observer is null ? 0 : Stopwatch.GetTimestamp();
        observer?.CallStarted(method.FullName, method.Type);
        using var context = new ServerCallContext(http, method.FullName, timeout, _options.TimeProvider, method.Type == MethodType.Unary ? default : _options.StoppingToken);
        Status status;
        try
        {
            var invocation = method.InvokeAsync(context, _options);
            if (!invocation.IsCompletedSuccessfully)
            {
                await invocation.ConfigureAwait(false);
            }

            status = Status.Ok;
        }
        catch (Exception e)
        {
            status = ToStatus(e, context);
        }

        WriteStatus(http, context, status);
        observer?.CallCompleted(method.FullName, method.Type, status.Code, Stopwatch.GetElapsedTime(started));
    }

    private void Refuse(HttpContext http, ServerMethod method, Status status)
    {
        GrpcServerLog.CallRefused(_logger, method.FullName, status.Code, status.Detail);
        _options.Observer?.CallStarted(method.FullName, method.Type);
        WriteStatus(http, null, status);
        _options.Observer?.CallCompleted(method.FullName, method.Type, status.Code, TimeSpan.Zero);
    }

    private Status ToStatus(Exception e, ServerCallContext context)
    {
        if (e is RpcException rpc)
        {
            return rpc.Status;
        }

        if (e is OperationCanceledException && context.IsDeadlineExceeded)
        {
            return new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded");
        }

        if (e is OperationCanceledException && context.IsServerStopping)
        {
            return new Status(StatusCode.Unavailable, "the server is stopping");
        }

        if ((e is OperationCanceledException && context.CancellationToken.IsCancellationRequested) || context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // Cancelled, or the client reset the stream or went away: whatever the handler tripped over, nobody hears the status.
            return new Status(StatusCode.Cancelled, "Cancelled");
        }

        GrpcServerLog.HandlerFailed(_logger, context.Method, e);
        return new Status(StatusCode.Unknown, _options.IncludeExceptionDetails
            ? $"Exception was thrown by handler. {e.GetType().Name}: {e.Message}"
            : "Exception was thrown by handler.");
    }

    private Status Unimplemented(string path)
    {
        var slash = path.LastIndexOf('/');
        if (slash > 0 && path.StartsWith('/'))
        {
            var service = path[1..slash];
            if (_services.Contains(service))
            {
                return new Status(StatusCode.Unimplemented, $"unknown method {path[(slash + 1)..]} for service {service}");
            }

            return new Status(StatusCode.Unimplemented, $"unknown service {service}");
        }

        return new Status(StatusCode.Unimplemented, $"malformed method name: \"{path}\"");
    }

    /// <summary>The one place that decides where the status goes.</summary>
    private void WriteStatus(HttpContext http, ServerCallContext? context, Status status)
    {
        var response = http.Response;
        var trailers = context?.TrailersIfAny;
        try
        {
            if ((context is null || !context.BodyWritten) && !response.HasStarted)
            {
                // Trailers-only: status (and any trailers) in the headers, no body. etcd answers errors this way.
                var headers = response.Headers;
                headers[GrpcProtocol.StatusHeader] = GrpcProtocol.StatusValue(status.Code);
                if (status.Detail.Length != 0)
                {
                    headers[GrpcProtocol.MessageHeader] = PercentEncoding.Encode(status.Detail);
                }

                if (trailers is not null)
                {
                    foreach (var (key, value) in trailers)
                    {
                        headers.Append(key, value);
                    }
                }

                return;
            }

            response.AppendTrailer(GrpcProtocol.StatusHeader, GrpcProtocol.StatusValue(status.Code));
            if (status.Detail.Length != 0)
            {
                response.AppendTrailer(GrpcProtocol.MessageHeader, PercentEncoding.Encode(status.Detail));
            }

            if (trailers is not null)
            {
                foreach (var (key, value) in trailers)
                {
                    response.AppendTrailer(key, value);
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or ObjectDisposedException)
        {
            GrpcServerLog.StatusNotSent(_logger, context?.Method ?? http.Request.Path.Value ?? "", e);
        }
    }
}

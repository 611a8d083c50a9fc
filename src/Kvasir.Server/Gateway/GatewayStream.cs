using Google.Protobuf;
using Kvasir.Grpc;
using Microsoft.AspNetCore.Http;

namespace Kvasir.Server.Gateway;

/// <summary>
/// The response of a streaming route, as grpc-gateway's ForwardResponseStream writes it: nothing at
/// all until the first message (etcd's gRPC server sends its headers with it), then 200, chunked
/// <c>application/json</c>, one <c>{"result":...}</c> line per message, each flushed. An error ends
/// the stream with an error chunk (no newline); before the first message it also sets the HTTP
/// status mapped from the gRPC code. One writer at a time.
/// </summary>
internal sealed class GatewayStream(HttpContext http)
{
    public HttpContext Http => http;

    public bool Started { get; private set; }

    public async Task WriteAsync(IMessage message, CancellationToken cancellationToken)
    {
        var line = GatewayResponses.ResultLine(message);
        var response = http.Response;
        if (!Started)
        {
            Started = true;
            response.StatusCode = 200;
            response.ContentType = GatewayResponses.JsonContentType;
            response.Headers[GatewayResponses.GrpcMetadataContentType] = GatewayResponses.GrpcContentType;
        }

        await response.Body.WriteAsync(line, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteErrorAsync(Status status)
    {
        var response = http.Response;
        if (!Started)
        {
            Started = true;
            response.StatusCode = GatewayStatus.HttpStatusFromCode(status.Code);
            response.ContentType = GatewayResponses.JsonContentType;
        }

        await response.Body.WriteAsync(GatewayResponses.StreamErrorChunk(status)).ConfigureAwait(false);
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Kvasir.Grpc;
using Microsoft.AspNetCore.Http;

namespace Kvasir.Server.Gateway;

/// <summary>
/// The answers etcd 3.4's gateway writes, header for header: a message (200,
/// <c>application/json</c>, <c>Grpc-Metadata-Content-Type: application/grpc</c>); an error of a
/// call (the HTTP status grpc-gateway maps from the gRPC code, <c>{"error","message","code"}</c>,
/// and the call's trailer <c>Grpc-Trailer-Content-Type</c> where the transport carries trailers);
/// an error before any call (malformed body: the same body, no trailer); and Go's plain-text
/// <c>http.Error</c> for unknown paths and wrong methods.
/// </summary>
internal static class GatewayResponses
{
    public const string JsonContentType = "application/json";
    public const string GrpcMetadataContentType = "Grpc-Metadata-Content-Type";
    public const string GrpcTrailerContentType = "Grpc-Trailer-Content-Type";
    public const string GrpcContentType = "application/grpc";

    public static Task WriteMessageAsync(HttpContext http, IMessage message, CancellationToken cancellationToken)
    {
        var body = ProtoJson.ToUtf8(message);
        var response = http.Response;
        response.StatusCode = 200;
        response.ContentType = JsonContentType;
        response.Headers[GrpcMetadataContentType] = GrpcContentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, cancellationToken).AsTask();
    }

    /// <summary>The error of a call that reached the server: etcd's gRPC status travels in its trailers, which the gateway forwards.</summary>
    public static async Task WriteCallErrorAsync(HttpContext http, Status status)
    {
        var response = http.Response;
        var trailers = response.SupportsTrailers();
        if (trailers)
        {
            response.DeclareTrailer(GrpcTrailerContentType);
        }

        await WriteErrorBodyAsync(http, status, contentLength: false).ConfigureAwait(false);
        if (trailers)
        {
            response.AppendTrailer(GrpcTrailerContentType, GrpcContentType);
        }
    }

    /// <summary>An error before any call (a body that is not JSON, a bad Grpc-Timeout).</summary>
    public static Task WriteRequestErrorAsync(HttpContext http, Status status) => WriteErrorBodyAsync(http, status, contentLength: true);

    /// <summary>Go's http.Error: text/plain, nosniff, the text and a newline.</summary>
    public static Task WriteTextAsync(HttpContext http, int status, string text)
    {
        var response = http.Response;
        var body = Encoding.UTF8.GetBytes(text + "\n");
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(http.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(body).AsTask();
    }

    /// <summary><c>{"error":"m","message":"m","code":N}</c>, grpc-gateway's errorBody as jsonpb writes it.</summary>
    public static byte[] ErrorBody(Status status)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        Append(buffer, "{\"error\":");
        GoText.WriteJsonString(buffer, status.Detail);
        Append(buffer, ",\"message\":");
        GoText.WriteJsonString(buffer, status.Detail);
        if (status.Code != StatusCode.OK)
        {
            Append(buffer, ",\"code\":" + ((int)status.Code).ToString(CultureInfo.InvariantCulture));
        }

        Append(buffer, "}");
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// A stream's error chunk, grpc-gateway's StreamError:
    /// <c>{"error":{"grpc_code":N,"http_code":H,"message":"m","http_status":"T"}}</c>.
    /// </summary>
    public static byte[] StreamErrorChunk(Status status)
    {
        var http = GatewayStatus.HttpStatusFromCode(status.Code);
        var buffer = new ArrayBufferWriter<byte>(160);
        Append(buffer, "{\"error\":{");
        var comma = false;
        if (status.Code != StatusCode.OK)
        {
            Append(buffer, "\"grpc_code\":" + ((int)status.Code).ToString(CultureInfo.InvariantCulture));
            comma = true;
        }

        Append(buffer, (comma ? "," : "") + "\"http_code\":" + http.ToString(CultureInfo.InvariantCulture));
        if (status.Detail.Length > 0)
        {
            Append(buffer, ",\"message\":");
            GoText.WriteJsonString(buffer, status.Detail);
        }

        Append(buffer, ",\"http_status\":");
        GoText.WriteJsonString(buffer, GatewayStatus.StatusText(http));
        Append(buffer, "}}");
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A stream's result line: <c>{"result":{...}}</c> and a newline.</summary>
    public static byte[] ResultLine(IMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Append(buffer, "{\"result\":");
        using (var json = new Utf8JsonWriter(buffer))
        {
            ProtoJson.Write(json, message);
        }

        Append(buffer, "}\n");
        return buffer.WrittenSpan.ToArray();
    }

    private static Task WriteErrorBodyAsync(HttpContext http, Status status, bool contentLength)
    {
        var response = http.Response;
        var body = ErrorBody(status);
        response.StatusCode = GatewayStatus.HttpStatusFromCode(status.Code);
        response.ContentType = JsonContentType;
        if (contentLength)
        {
            response.ContentLength = body.Length;
        }

        return response.Body.WriteAsync(body).AsTask();
    }

    private static void Append(ArrayBufferWriter<byte> buffer, string ascii)
    {
        var span = buffer.GetSpan(ascii.Length);
        var n = Encoding.ASCII.GetBytes(ascii, span);
        buffer.Advance(n);
    }
}

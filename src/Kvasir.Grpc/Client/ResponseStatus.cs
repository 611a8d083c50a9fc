using System.Net;
using System.Net.Http.Headers;
using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Client;

/// <summary>Reads a call's status: from the response headers (trailers-only, or a non-gRPC answer) or from the trailers.</summary>
internal static class ResponseStatus
{
    /// <summary>The status the headers already decide (HTTP error, wrong content type, trailers-only), or null when the body follows.</summary>
    public static Status? FromHeaders(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return new Status(FromHttpStatus(response.StatusCode), $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}");
        }

        if (TryRead(response.Headers, out var status))
        {
            return status;
        }

        var contentType = response.Content.Headers.NonValidated.TryGetValues("content-type", out var values) ? values.ToString() : null;
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            return new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: {contentType}");
        }

        return null;
    }

    /// <summary>The status in the trailers, read after the body ended.</summary>
    public static Status FromTrailers(HttpResponseMessage response) =>
        TryRead(response.TrailingHeaders, out var status)
            ? status
            : new Status(StatusCode.Internal, "grpc: the server closed the stream without sending a status");

    /// <summary>Non-reserved entries of <paramref name="headers"/>, for an error's trailers.</summary>
    public static Metadata Metadata(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var (key, values) in headers.NonValidated)
        {
            if (key.StartsWith("grpc-", StringComparison.Ordinal) || key.StartsWith(':') || key is "content-type" or "date" or "server")
            {
                continue;
            }

            foreach (var value in values)
            {
                metadata.AddReceived(key, value);
            }
        }

        return metadata;
    }

    private static bool TryRead(HttpHeaders headers, out Status status)
    {
        if (!headers.NonValidated.TryGetValues(GrpcProtocol.StatusHeader, out var codeText))
        {
            status = default;
            return false;
        }

        var text = codeText.ToString();
        if (!GrpcProtocol.TryParseStatus(text, out var code))
        {
            status = new Status(StatusCode.Unknown, $"grpc: unparsable grpc-status '{text}'");
            return true;
        }

        var detail = headers.NonValidated.TryGetValues(GrpcProtocol.MessageHeader, out var message) ? PercentEncoding.Decode(message.ToString()) : "";
        status = new Status(code, detail);
        return true;
    }

    /// <summary>gRPC's mapping of an HTTP status to a code, for answers that are not gRPC.</summary>
    private static StatusCode FromHttpStatus(HttpStatusCode code) => code switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };
}

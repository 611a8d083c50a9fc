using Microsoft.Extensions.Primitives;

namespace Kvasir.Grpc.Protocol;

/// <summary>The constants of gRPC over HTTP/2, in one place.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string TeHeader = "te";
    public const string Trailers = "trailers";
    public const string Identity = "identity";

    /// <summary>The length prefix: a compressed flag byte and a big-endian uint32 length.</summary>
    public const int HeaderSize = 5;

    /// <summary>etcd's receive limit: <c>--max-request-bytes</c> (1.5 MiB) plus 512 KiB of gRPC overhead.</summary>
    public const int DefaultMaxReceiveMessageSize = (1536 * 1024) + (512 * 1024);

    private static readonly StringValues[] StatusText = CreateStatusText();

    public static readonly StringValues ContentTypeValue = new(ContentType);
    public static readonly StringValues IdentityValue = new(Identity);

    /// <summary><c>grpc-status</c>'s text for <paramref name="code"/>, without allocating for the known codes.</summary>
    public static StringValues StatusValue(StatusCode code) =>
        (uint)code < (uint)StatusText.Length ? StatusText[(int)code] : new StringValues(((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>True for <c>application/grpc</c>, <c>application/grpc+proto</c> and <c>application/grpc;...</c>, not for grpc-web.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';';
    }

    /// <summary>Parses <c>grpc-status</c>; false when absent or not a number.</summary>
    public static bool TryParseStatus(string? text, out StatusCode code)
    {
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            code = (StatusCode)n;
            return true;
        }

        code = StatusCode.Unknown;
        return false;
    }

    private static StringValues[] CreateStatusText()
    {
        var all = new StringValues[17];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = new StringValues(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return all;
    }
}

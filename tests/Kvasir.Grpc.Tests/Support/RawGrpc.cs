using System.Net;
using System.Net.Http.Headers;

namespace Kvasir.Grpc.Tests.Support;

/// <summary>
/// gRPC requests with hand-made bodies, for what our client never sends: bad frames, odd headers,
/// bytes split at chosen places. Answers are read to the end and the status taken from headers or trailers.
/// </summary>
internal static class RawGrpc
{
    public static HttpClient CreateClient() => new(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>Sends <paramref name="chunks"/> as the request body (flushed one by one) and returns the status.</summary>
    public static async Task<RawAnswer> CallAsync(HttpClient client, string url, IReadOnlyList<byte[]> chunks, IEnumerable<KeyValuePair<string, string>>? headers = null, Version? version = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = ChunkedContent.Create(chunks), Version = version ?? HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        foreach (var (k, v) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(k, v);
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await response.Content.ReadAsByteArrayAsync();
        var status = Find(response.Headers, "grpc-status") ?? Find(response.TrailingHeaders, "grpc-status");
        var message = Find(response.Headers, "grpc-message") ?? Find(response.TrailingHeaders, "grpc-message");
        var trailersOnly = Find(response.Headers, "grpc-status") is not null;
        return new RawAnswer((int)response.StatusCode, status is null ? null : (StatusCode)int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), message, body, trailersOnly);
    }

    public static byte[] Frame(byte flag, uint length, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flag;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), length);
        payload.CopyTo(frame.AsSpan(5));
        return frame;
    }

    private static string? Find(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private sealed class ChunkedContent(IReadOnlyList<byte[]> chunks) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            foreach (var chunk in chunks)
            {
                await stream.WriteAsync(chunk);
                await stream.FlushAsync();
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override Task<Stream> CreateContentReadStreamAsync() => throw new NotSupportedException();

        internal static ChunkedContent Create(IReadOnlyList<byte[]> chunks)
        {
            var content = new ChunkedContent(chunks);
            content.Headers.TryAddWithoutValidation("content-type", "application/grpc");
            return content;
        }
    }
}

/// <summary>What a raw call got back.</summary>
internal sealed record RawAnswer(int HttpStatus, StatusCode? Status, string? Message, byte[] Body, bool TrailersOnly);

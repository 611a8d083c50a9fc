using System.Buffers;
using System.Net;
using System.Threading.Channels;
using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Client;

/// <summary>
/// The body of a client- or bidi-streaming call: frames the messages queued in a channel, writing
/// and flushing once per batch, until the channel is completed (then the request stream ends).
/// </summary>
internal sealed class StreamingContent<T>(ChannelReader<T> messages, Marshaller<T> marshaller) : HttpContent
{
    private int _started;

    /// <summary>True once the HTTP stack began sending the body (a retry elsewhere is no longer transparent).</summary>
    public bool Started => Volatile.Read(ref _started) != 0;

    public StreamingContent<T> WithGrpcContentType()
    {
        Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
        return this;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _started, 1);
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            while (await messages.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var used = 0;
                while (messages.TryRead(out var message))
                {
                    var size = marshaller.CalculateSize(message);
                    var total = GrpcProtocol.HeaderSize + size;
                    if (used + total > buffer.Length && used > 0)
                    {
                        await stream.WriteAsync(buffer.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
                        used = 0;
                    }

                    if (total > buffer.Length)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = ArrayPool<byte>.Shared.Rent(total);
                    }

                    Frames.WriteHeader(buffer.AsSpan(used), size);
                    marshaller.Serialize(message, buffer.AsSpan(used + GrpcProtocol.HeaderSize, size));
                    used += total;
                }

                if (used > 0)
                {
                    await stream.WriteAsync(buffer.AsMemory(0, used), cancellationToken).ConfigureAwait(false);
                }

                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

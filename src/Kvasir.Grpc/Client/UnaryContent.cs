using System.Buffers;
using System.Net;
using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Client;

/// <summary>The body of a call with one request message: one frame, serialized into a pooled buffer and written once.</summary>
internal sealed class UnaryContent<T>(Marshaller<T> marshaller, T message) : HttpContent
{
    public UnaryContent<T> WithGrpcContentType()
    {
        Headers.TryAddWithoutValidation("content-type", GrpcProtocol.ContentType);
        return this;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var size = marshaller.CalculateSize(message);
        var total = GrpcProtocol.HeaderSize + size;
        var buffer = ArrayPool<byte>.Shared.Rent(total);
        Frames.WriteHeader(buffer, size);
        marshaller.Serialize(message, buffer.AsSpan(GrpcProtocol.HeaderSize, size));
        var write = stream.WriteAsync(buffer.AsMemory(0, total), cancellationToken);
        if (write.IsCompletedSuccessfully)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return Task.CompletedTask;
        }

        return AwaitAndReturn(write, buffer);

        static async Task AwaitAndReturn(ValueTask write, byte[] buffer)
        {
            try
            {
                await write.ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        // No content-length, as gRPC clients send none; the body ends with the stream.
        length = 0;
        return false;
    }
}

using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace Kvasir.Grpc.Protocol;

/// <summary>
/// gRPC's length-prefixed messages: one byte compressed flag (0 here: Kvasir never compresses and
/// accepts no compressed frame), a big-endian uint32 length, then the message. Reading checks the
/// length against the receive limit as soon as the 5-byte header is visible, before any payload is
/// buffered.
/// </summary>
internal static class Frames
{
    /// <summary>Looks for one whole frame at the start of <paramref name="buffer"/>.</summary>
    public static FrameResult TryRead(in ReadOnlySequence<byte> buffer, int maxMessageSize, out ReadOnlySequence<byte> payload, out SequencePosition next, out Status error)
    {
        payload = default;
        next = buffer.Start;
        error = default;
        if (buffer.Length < GrpcProtocol.HeaderSize)
        {
            return FrameResult.Incomplete;
        }

        byte flag;
        uint length;
        var first = buffer.FirstSpan;
        if (first.Length >= GrpcProtocol.HeaderSize)
        {
            // Fast path: the header is in the first segment, as it nearly always is.
            flag = first[0];
            length = BinaryPrimitives.ReadUInt32BigEndian(first[1..]);
        }
        else
        {
            Span<byte> header = stackalloc byte[GrpcProtocol.HeaderSize];
            buffer.Slice(0, GrpcProtocol.HeaderSize).CopyTo(header);
            flag = header[0];
            length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        }

        if (flag != 0)
        {
            error = flag == 1
                ? new Status(StatusCode.Internal, "grpc: compressed flag set with identity or empty encoding")
                : new Status(StatusCode.Internal, "grpc: received unexpected payload format " + flag.ToString(CultureInfo.InvariantCulture));
            return FrameResult.Invalid;
        }

        if (length > (uint)maxMessageSize)
        {
            error = new Status(StatusCode.ResourceExhausted, string.Create(CultureInfo.InvariantCulture, $"grpc: received message larger than max ({length} vs. {maxMessageSize})"));
            return FrameResult.Invalid;
        }

        if (buffer.Length - GrpcProtocol.HeaderSize < length)
        {
            return FrameResult.Incomplete;
        }

        payload = buffer.Slice(GrpcProtocol.HeaderSize, length);
        next = payload.End;
        return FrameResult.Complete;
    }

    /// <summary>Writes one frame: the header and the message, into one span when it fits the writer's next block.</summary>
    public static int Write<T>(IBufferWriter<byte> writer, Marshaller<T> marshaller, T message)
    {
        var size = marshaller.CalculateSize(message);
        var total = GrpcProtocol.HeaderSize + size;
        if (total <= SingleSpanLimit)
        {
            var span = writer.GetSpan(total);
            WriteHeader(span, size);
            marshaller.Serialize(message, span.Slice(GrpcProtocol.HeaderSize, size));
            writer.Advance(total);
        }
        else
        {
            var span = writer.GetSpan(GrpcProtocol.HeaderSize);
            WriteHeader(span, size);
            writer.Advance(GrpcProtocol.HeaderSize);
            marshaller.Serialize(message, size, writer);
        }

        return total;
    }

    /// <summary>Writes the 5-byte header of an uncompressed frame of <paramref name="size"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, int size)
    {
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)size);
    }

    /// <summary>Frames up to this size go into one span: Kestrel's and the client's blocks are 4 KiB.</summary>
    public const int SingleSpanLimit = 4096;

    /// <summary>The status for a request stream that ended inside a frame.</summary>
    public static Status Truncated(long buffered) =>
        new(StatusCode.Internal, string.Create(CultureInfo.InvariantCulture, $"grpc: stream ended inside a message ({buffered} bytes of an incomplete frame)"));

    /// <summary>
    /// The status for bytes that are not a valid message. The failures etcd's generated parsers name
    /// carry etcd's text: a truncated message, or a length past the end (etcd reads lengths as 64-bit,
    /// so one the parser here finds negative is past the end there), is "unexpected EOF"; an overlong
    /// varint is "proto: integer overflow". Any other keeps the parser's text.
    /// </summary>
    public static Status Unparsable(string what, Exception e) => new(StatusCode.Internal, $"grpc: error unmarshalling {what}: {EtcdText(e.Message)}");

    private static string EtcdText(string message) =>
        message.StartsWith("While parsing a protocol message, the input ended unexpectedly", StringComparison.Ordinal) ? "unexpected EOF"
        : message.Contains("negative size", StringComparison.Ordinal) ? "unexpected EOF"
        : message.Contains("malformed varint", StringComparison.Ordinal) ? "proto: integer overflow"
        : message;
}

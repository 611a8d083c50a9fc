using System.Buffers;

namespace Kvasir.Grpc;

/// <summary>
/// Turns messages of one type into bytes and back. The protobuf marshaller
/// (<see cref="Marshallers.Protobuf{T}"/>) is the one nearly every method uses; a hand-written one
/// serves messages without generated code (the health service's).
/// </summary>
public abstract class Marshaller<T>
{
    /// <summary>Parses one message. Throws (any exception) when the bytes are not a valid message;
    /// the caller answers that with INTERNAL. The payload is valid only during the call: copy what you keep.</summary>
    public abstract T Deserialize(in ReadOnlySequence<byte> payload);

    /// <summary>The exact serialized size of <paramref name="message"/>.</summary>
    public abstract int CalculateSize(T message);

    /// <summary>Writes <paramref name="message"/> into <paramref name="destination"/>, whose length is exactly <see cref="CalculateSize"/>.</summary>
    public abstract void Serialize(T message, Span<byte> destination);

    /// <summary>Writes <paramref name="message"/> (of <paramref name="size"/> bytes) to a buffer writer, for messages too big for one span.</summary>
    public virtual void Serialize(T message, int size, IBufferWriter<byte> destination)
    {
        var rented = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Serialize(message, rented.AsSpan(0, size));
            destination.Write(rented.AsSpan(0, size));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}

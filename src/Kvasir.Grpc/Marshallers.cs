using System.Buffers;
using Google.Protobuf;

namespace Kvasir.Grpc;

/// <summary>Marshallers for Google.Protobuf messages.</summary>
public static class Marshallers
{
    /// <summary>The marshaller of a generated protobuf message type, parsing with <paramref name="parser"/>.</summary>
    public static Marshaller<T> Protobuf<T>(MessageParser<T> parser)
        where T : IMessage<T> => new ProtobufMarshaller<T>(parser);

    private sealed class ProtobufMarshaller<T>(MessageParser<T> parser) : Marshaller<T>
        where T : IMessage<T>
    {
        private readonly MessageParser<T> _parser = parser ?? throw new ArgumentNullException(nameof(parser));

        public override T Deserialize(in ReadOnlySequence<byte> payload) => _parser.ParseFrom(payload);

        public override int CalculateSize(T message) => message.CalculateSize();

        public override void Serialize(T message, Span<byte> destination) => message.WriteTo(destination);

        public override void Serialize(T message, int size, IBufferWriter<byte> destination) => message.WriteTo(destination);
    }
}

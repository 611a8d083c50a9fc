using System.Buffers;
using Kvasir.Grpc;

namespace Kvasir.Server.Watch;

/// <summary>Writes <see cref="WatchFrame"/>s on the server's response stream; the server never reads one.</summary>
internal sealed class WatchFrameMarshaller : Marshaller<WatchFrame>
{
    public override WatchFrame Deserialize(in ReadOnlySequence<byte> payload) =>
        throw new NotSupportedException("watch frames are only written; clients read WatchResponse messages");

    public override int CalculateSize(WatchFrame message) => message.Size;

    public override void Serialize(WatchFrame message, Span<byte> destination) => message.WriteTo(destination);

    public override void Serialize(WatchFrame message, int size, IBufferWriter<byte> destination) => message.WriteTo(destination);
}

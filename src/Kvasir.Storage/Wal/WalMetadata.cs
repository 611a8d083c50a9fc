using System.Buffers.Binary;

namespace Kvasir.Storage.Wal;

/// <summary>
/// Whose log this is: the cluster id and the member id, written at the start of every segment. A
/// WAL whose segments disagree is refused.
/// </summary>
public readonly record struct WalMetadata(ulong ClusterId, ulong MemberId)
{
    internal const int PayloadBytes = 16;

    internal void Write(Span<byte> payload)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(payload, ClusterId);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[8..], MemberId);
    }

    internal static bool TryRead(ReadOnlySpan<byte> payload, out WalMetadata metadata)
    {
        metadata = default;
        if (payload.Length != PayloadBytes)
        {
            return false;
        }

        metadata = new WalMetadata(BinaryPrimitives.ReadUInt64LittleEndian(payload), BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]));
        return true;
    }

    public override string ToString() => $"cluster {ClusterId:x16} member {MemberId:x16}";
}

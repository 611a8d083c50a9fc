using System.Buffers.Binary;

namespace Kvasir.Storage.Wal;

/// <summary>
/// The payload of a segment's first record (FORMAT.md, "Segment header"): magic, format version,
/// the CRC carried over from the last record of the previous segment, seq and first index.
/// </summary>
internal readonly record struct WalSegmentHeader(uint Version, uint CarriedCrc, ulong Seq, ulong Index)
{
    /// <summary>The format version this code writes and reads.</summary>
    public const uint FormatVersion = 1;

    public const int PayloadBytes = 32;

    /// <summary>"KVASIRWL": the first 8 payload bytes of every segment, in every version.</summary>
    public static ReadOnlySpan<byte> Magic => "KVASIRWL"u8;

    public void Write(Span<byte> payload)
    {
        Magic.CopyTo(payload);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[12..], CarriedCrc);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[16..], Seq);
        BinaryPrimitives.WriteUInt64LittleEndian(payload[24..], Index);
    }

    /// <summary>Parses a header payload; the version is returned whatever it is, the caller checks it.</summary>
    public static bool TryRead(ReadOnlySpan<byte> payload, out WalSegmentHeader header)
    {
        header = default;
        if (payload.Length < 16 || !payload[..8].SequenceEqual(Magic))
        {
            return false;
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        if (version != FormatVersion)
        {
            header = new WalSegmentHeader(version, 0, 0, 0);
            return true;
        }

        if (payload.Length != PayloadBytes)
        {
            return false;
        }

        header = new WalSegmentHeader(
            version,
            BinaryPrimitives.ReadUInt32LittleEndian(payload[12..]),
            BinaryPrimitives.ReadUInt64LittleEndian(payload[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(payload[24..]));
        return true;
    }
}

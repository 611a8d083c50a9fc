using System.Buffers.Binary;
using Kvasir.Storage.IO;

namespace Kvasir.Storage.Wal;

/// <summary>
/// The framing of one record (FORMAT.md, "Records"): a 12-byte header, the payload, zero padding to
/// the next multiple of 8. The first 8-byte word holds the payload length, the type and a 16-bit
/// check of both, so that a length is never torn (an aligned word never straddles a sector) and a
/// damaged length is recognised as damage before it is used. The CRC covers the header word and
/// the payload and is seeded with the segment's seq and the record's offset, so a record verifies
/// only where it was written.
/// </summary>
internal static class WalRecordFormat
{
    public const int HeaderBytes = 12;
    public const int Alignment = 8;
    public const int SectorBytes = 512;

    /// <summary>The largest payload a record may carry.</summary>
    public const int MaxPayloadBytes = 1 << 30;

    public static long RecordSize(long payloadLength) => (HeaderBytes + payloadLength + Alignment - 1) & ~(long)(Alignment - 1);

    /// <summary>The CRC state a record at <paramref name="offset"/> of segment <paramref name="seq"/> starts from.</summary>
    public static uint Seed(ulong seq, long offset) =>
        Crc32C.Update(Crc32C.Update(Crc32C.InitialState, seq), (ulong)offset);

    /// <summary>The 16-bit check of a header word (length and type; the check bits themselves read as zero).</summary>
    public static ushort HeaderCheck(uint seed, ulong word) => (ushort)~Crc32C.Update(seed, word & 0x0000_FFFF_FFFF_FFFFUL);

    public static ulong HeaderWord(uint seed, WalRecordType type, int payloadLength)
    {
        var word = (uint)payloadLength | ((ulong)(byte)type << 32);
        return word | ((ulong)HeaderCheck(seed, word) << 48);
    }

    public static uint PayloadCrc(uint seed, ulong word, ReadOnlySpan<byte> payload) =>
        ~Crc32C.Update(Crc32C.Update(seed, word), payload);

    /// <summary>
    /// Completes a record whose payload is already at <c>record[HeaderBytes..]</c>: writes the header
    /// word and the CRC and zeroes the padding. Returns the record's CRC.
    /// </summary>
    public static uint Seal(Span<byte> record, WalRecordType type, int payloadLength, ulong seq, long offset)
    {
        var seed = Seed(seq, offset);
        var word = HeaderWord(seed, type, payloadLength);
        var crc = PayloadCrc(seed, word, record.Slice(HeaderBytes, payloadLength));
        BinaryPrimitives.WriteUInt64LittleEndian(record, word);
        BinaryPrimitives.WriteUInt32LittleEndian(record[8..], crc);
        record[(HeaderBytes + payloadLength)..].Clear();
        return crc;
    }

    public static bool IsKnown(byte type) => type is >= (byte)WalRecordType.SegmentHeader and <= (byte)WalRecordType.Snapshot;

    /// <summary>
    /// True when some 512-byte-sector-aligned piece of <paramref name="data"/>[start, end) is all
    /// zeros: the mark of a sector a crash left unwritten (preallocated space reads as zeros).
    /// </summary>
    public static bool HasUnwrittenSector(ReadOnlySpan<byte> data, long start, long end)
    {
        var at = start;
        while (at < end)
        {
            var next = Math.Min(end, ((at / SectorBytes) + 1) * SectorBytes);
            if (!data[(int)at..(int)next].ContainsAnyExcept((byte)0))
            {
                return true;
            }

            at = next;
        }

        return false;
    }
}

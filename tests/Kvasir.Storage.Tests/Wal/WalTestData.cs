using System.Buffers.Binary;
using Google.Protobuf;
using Kvasir.Raft;
using Kvasir.Storage.Wal;

namespace Kvasir.Storage.Tests.Wal;

/// <summary>Entries whose content is a function of (index, term), so any entry read back can be checked.</summary>
internal static class WalTestData
{
    public static readonly WalMetadata Metadata = new(0xC1C1, 0xAB01);

    public static Entry Entry(ulong index, ulong term, int size = 100) => new()
    {
        Index = index,
        Term = term,
        Type = EntryType.EntryNormal,
        Data = ByteString.CopyFrom(Payload(index, term, size)),
    };

    public static List<Entry> Entries(ulong first, ulong last, ulong term, int size = 100)
    {
        var entries = new List<Entry>();
        for (var i = first; i <= last; i++)
        {
            entries.Add(Entry(i, term, size));
        }

        return entries;
    }

    /// <summary>The bytes of entry (index, term): a header naming both, then a pattern seeded by them.</summary>
    public static byte[] Payload(ulong index, ulong term, int size)
    {
        size = Math.Max(size, 16);
        var bytes = new byte[size];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, index);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), term);
        var x = (index * 0x9E3779B97F4A7C15UL) ^ (term * 0xC2B2AE3D27D4EB4FUL) | 1;
        for (var i = 16; i < size; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            bytes[i] = (byte)x;
        }

        return bytes;
    }

    /// <summary>Whether <paramref name="entry"/>'s data is what <see cref="Entry"/> makes for its index and term.</summary>
    public static bool IsGenuine(Entry entry) =>
        entry.Data.Length >= 16 && entry.Data.Span.SequenceEqual(Payload(entry.Index, entry.Term, entry.Data.Length));

    public static WalOptions Options(long segmentBytes = 16 * 1024, int maxWals = 5, bool background = true) => new()
    {
        SegmentBytes = segmentBytes,
        MaxWals = maxWals,
        PrepareSegmentsInBackground = background,
    };
}

using Google.Protobuf;

namespace Kvasir.Storage.Wal;

/// <summary>
/// The writer's position in the log: the segment the next record goes to, its offset there, and
/// the CRC of the last record (carried into the next segment's header). Encodes records into a
/// batch at that position. Owned by whoever holds the WAL's append lock.
/// </summary>
internal sealed class WalEncoder
{
    public WalEncoder(ulong seq, long offset, uint lastCrc)
    {
        Seq = seq;
        Offset = offset;
        LastCrc = lastCrc;
    }

    public ulong Seq { get; private set; }

    public long Offset { get; private set; }

    public uint LastCrc { get; private set; }

    public static int PayloadSize(IMessage message)
    {
        var size = message.CalculateSize();
        return size <= WalRecordFormat.MaxPayloadBytes
            ? size
            : throw new ArgumentException($"wal: a record of {size} bytes exceeds the limit of {WalRecordFormat.MaxPayloadBytes} bytes");
    }

    /// <summary>Starts a new segment in <paramref name="batch"/>: its header, carrying the last CRC, then the metadata.</summary>
    public void BeginSegment(WalBatch batch, ulong seq, ulong nameIndex, WalMetadata metadata)
    {
        Seq = seq;
        Offset = 0;
        batch.StartRun(seq, nameIndex, 0, newSegment: true);
        var header = new WalSegmentHeader(WalSegmentHeader.FormatVersion, LastCrc, seq, nameIndex);
        var span = Reserve(batch, WalSegmentHeader.PayloadBytes);
        header.Write(span[WalRecordFormat.HeaderBytes..]);
        Seal(span, WalRecordType.SegmentHeader, WalSegmentHeader.PayloadBytes);
        span = Reserve(batch, WalMetadata.PayloadBytes);
        metadata.Write(span[WalRecordFormat.HeaderBytes..]);
        Seal(span, WalRecordType.Metadata, WalMetadata.PayloadBytes);
    }

    /// <summary>Appends a record holding <paramref name="message"/>, whose encoded size is <paramref name="payloadSize"/>.</summary>
    public void Append(WalBatch batch, WalRecordType type, IMessage message, int payloadSize)
    {
        if (batch.RunCount == 0)
        {
            batch.StartRun(Seq, 0, Offset, newSegment: false);
        }

        var span = Reserve(batch, payloadSize);
        message.WriteTo(span.Slice(WalRecordFormat.HeaderBytes, payloadSize));
        Seal(span, type, payloadSize);
    }

    private static Span<byte> Reserve(WalBatch batch, int payloadSize) => batch.Reserve((int)WalRecordFormat.RecordSize(payloadSize));

    private void Seal(Span<byte> record, WalRecordType type, int payloadSize)
    {
        LastCrc = WalRecordFormat.Seal(record, type, payloadSize, Seq, Offset);
        Offset += record.Length;
    }
}

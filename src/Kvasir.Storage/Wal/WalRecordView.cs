namespace Kvasir.Storage.Wal;

/// <summary>One verified record inside a segment being read.</summary>
internal readonly ref struct WalRecordView(long offset, WalRecordType type, ReadOnlySpan<byte> payload)
{
    public long Offset { get; } = offset;

    public WalRecordType Type { get; } = type;

    public ReadOnlySpan<byte> Payload { get; } = payload;
}

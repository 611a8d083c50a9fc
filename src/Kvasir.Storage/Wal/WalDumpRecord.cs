namespace Kvasir.Storage.Wal;

/// <summary>One record as <see cref="WalDump"/> shows it.</summary>
/// <param name="Offset">Byte offset in the segment.</param>
/// <param name="Type">Record type.</param>
/// <param name="PayloadBytes">Payload length.</param>
/// <param name="Summary">The decoded content in one line.</param>
public readonly record struct WalDumpRecord(long Offset, WalRecordType Type, int PayloadBytes, string Summary);

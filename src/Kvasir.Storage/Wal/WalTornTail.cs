namespace Kvasir.Storage.Wal;

/// <summary>
/// What opening the WAL cut off the end of the last segment: a record a crash left partly written
/// (and anything written after it in the same unsynced batch). Such bytes were never synced, so no
/// write acknowledged to anyone is among them.
/// </summary>
/// <param name="File">The segment's full name.</param>
/// <param name="Offset">Where the log now ends: the start of the torn record.</param>
/// <param name="Reason">How the record was recognised as torn.</param>
/// <param name="DiscardedBytes">Bytes from <paramref name="Offset"/> to the last nonzero byte of the file.</param>
public sealed record WalTornTail(string File, long Offset, string Reason, long DiscardedBytes)
{
    public override string ToString() =>
        $"wal: cut a torn tail off {File} at offset {Offset} ({Reason}); {DiscardedBytes} bytes discarded, none of them ever synced";
}

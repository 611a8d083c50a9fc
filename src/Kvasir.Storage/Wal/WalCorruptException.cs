namespace Kvasir.Storage.Wal;

/// <summary>
/// A record before the tail of the log is damaged (or the log is inconsistent there). The member
/// refuses to start rather than guess: this member's log must be restored from a snapshot or a
/// healthy peer. Names the file and the byte offset.
/// </summary>
public sealed class WalCorruptException : WalException
{
    public WalCorruptException(string file, long offset, string reason)
        : base($"wal: {file} is corrupt at offset {offset}: {reason}; refusing to start rather than guess (restore this member from a snapshot or a healthy peer)")
    {
        File = file;
        Offset = offset;
        Reason = reason;
    }

    public string File { get; }

    public long Offset { get; }

    public string Reason { get; }
}

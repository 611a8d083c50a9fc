namespace Kvasir.Storage.Wal;

/// <summary>
/// A write or sync of the log failed. The WAL is closed for writing and every pending and later
/// append fails with this error: the member must stop. An fsync is never retried, because after a
/// failed fsync the kernel may have dropped the dirty pages and a retry that succeeds proves nothing.
/// </summary>
public sealed class WalFatalException : WalException
{
    public WalFatalException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

namespace Kvasir.Storage.Wal;

/// <summary>
/// The WAL cannot do what was asked with the state it found: no WAL, one already there, a snapshot
/// marker that is missing or disagrees, a conflicting identity. Nothing was changed.
/// </summary>
public class WalException : Exception
{
    public WalException(string message)
        : base(message)
    {
    }

    public WalException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

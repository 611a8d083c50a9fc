namespace Kvasir.Storage.Wal;

/// <summary>
/// Decides when the WAL's flusher writes and syncs the pending batch (group commit). The flusher
/// calls it on its own thread whenever there is a batch and the previous write is done: while one
/// fdatasync runs, appends gather in the next batch, so even "now" batches under load.
/// </summary>
public interface IWalSyncPolicy
{
    /// <summary>
    /// How much longer to let <paramref name="pending"/> fill before writing it; zero or less means now.
    /// Called again after that time or when more appends arrive.
    /// </summary>
    TimeSpan FillTime(in WalPendingBatch pending);
}

namespace Kvasir.Storage.Wal;

/// <summary>What a <see cref="IWalSyncPolicy"/> sees of the batch waiting to be written.</summary>
/// <param name="Appends">Appends in the batch.</param>
/// <param name="Bytes">Bytes of records in the batch.</param>
/// <param name="Age">Time since the batch's first append.</param>
/// <param name="LastSyncDuration">How long the previous fdatasync took (zero before the first).</param>
public readonly record struct WalPendingBatch(int Appends, int Bytes, TimeSpan Age, TimeSpan LastSyncDuration);

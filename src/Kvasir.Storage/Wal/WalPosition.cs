namespace Kvasir.Storage.Wal;

/// <summary>
/// Where an append went: the number of the write batch (group commit) that carries it. Batches are
/// written and synced in order, so a position is durable once every position up to it is.
/// </summary>
public readonly record struct WalPosition(long Batch) : IComparable<WalPosition>
{
    public int CompareTo(WalPosition other) => Batch.CompareTo(other.Batch);

    public static bool operator <(WalPosition left, WalPosition right) => left.Batch < right.Batch;

    public static bool operator >(WalPosition left, WalPosition right) => left.Batch > right.Batch;

    public static bool operator <=(WalPosition left, WalPosition right) => left.Batch <= right.Batch;

    public static bool operator >=(WalPosition left, WalPosition right) => left.Batch >= right.Batch;
}

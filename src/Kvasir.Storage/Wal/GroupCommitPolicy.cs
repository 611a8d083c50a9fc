namespace Kvasir.Storage.Wal;

/// <summary>
/// The group-commit policies. <see cref="Immediate"/> (the default) writes a batch as soon as the
/// flusher is free: one writer pays one fdatasync per append, and under load the batch is whatever
/// gathered during the previous fdatasync. <see cref="Window"/> also waits up to a bound for more
/// appends, trading latency for fewer fsyncs on disks whose fsync is very fast.
/// </summary>
public sealed class GroupCommitPolicy : IWalSyncPolicy
{
    private readonly TimeSpan _maxWait;
    private readonly int _targetAppends;

    private GroupCommitPolicy(TimeSpan maxWait, int targetAppends)
    {
        _maxWait = maxWait;
        _targetAppends = targetAppends;
    }

    /// <summary>Write as soon as the flusher is free.</summary>
    public static GroupCommitPolicy Immediate { get; } = new(TimeSpan.Zero, 1);

    /// <summary>Wait until <paramref name="targetAppends"/> appends gathered or the batch is <paramref name="maxWait"/> old.</summary>
    public static GroupCommitPolicy Window(TimeSpan maxWait, int targetAppends)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxWait, TimeSpan.FromSeconds(1));
        ArgumentOutOfRangeException.ThrowIfLessThan(targetAppends, 1);
        return new GroupCommitPolicy(maxWait, targetAppends);
    }

    public TimeSpan FillTime(in WalPendingBatch pending) =>
        pending.Appends >= _targetAppends ? TimeSpan.Zero : _maxWait - pending.Age;
}

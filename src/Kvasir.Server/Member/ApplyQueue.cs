namespace Kvasir.Server.Member;

/// <summary>
/// The bounded queue between the Raft loop and the applier: one producer, one consumer, bounded in
/// entries and in bytes. The producer waits while it is full (back-pressure on the Raft loop); a
/// batch is always taken when the queue is empty, however large. The consumer takes everything
/// queued at once. When the queue is empty and the consumer idle, the producer may apply a batch
/// itself (<see cref="TryBeginInline"/>): batches are applied by one thread at a time, in order. Waits spin only briefly: at low load a short spin costs more CPU than it saves.
/// </summary>
/// <remarks>
/// The bounds are set above what the proposal gate lets in (5,000 entries of apply lag plus the
/// Raft inbox), so in practice the gate refuses proposals with <c>too many requests</c> long
/// before the Raft loop has to wait here; the byte bound keeps large entries from piling up.
/// </remarks>
internal sealed class ApplyQueue(long maxEntries, long maxBytes)
{
    private const int SpinCount = 10;

    private readonly Lock _gate = new();
    private readonly Queue<ApplyBatch> _queue = new();
    private readonly ManualResetEventSlim _notEmpty = new(false, SpinCount);
    private readonly ManualResetEventSlim _notFull = new(true, SpinCount);
    private bool _completed;

    // True while batches are being applied: by the consumer between TakeAll and Done, or by the
    // producer between TryBeginInline and EndInline. Guarded by _gate.
    private bool _busy;
    private long _entries;
    private long _bytes;

    /// <summary>Adds a batch; waits while the queue is full. False when the queue is completed or <paramref name="cancellationToken"/> fired.</summary>
    public bool Add(ApplyBatch batch, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_completed || cancellationToken.IsCancellationRequested)
                {
                    return false;
                }

                if (_queue.Count == 0 || (_entries + batch.Entries.Count <= maxEntries && _bytes + batch.Bytes <= maxBytes))
                {
                    _queue.Enqueue(batch);
                    _entries += batch.Entries.Count;
                    _bytes += batch.Bytes;
                    _notEmpty.Set();
                    return true;
                }

                _notFull.Reset();
            }

            try
            {
                _notFull.Wait(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    /// <summary>Moves every queued batch into <paramref name="into"/>, waiting for one; false once completed and drained.</summary>
    public bool TakeAll(List<ApplyBatch> into, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_queue.Count > 0)
                {
                    while (_queue.TryDequeue(out var batch))
                    {
                        into.Add(batch);
                    }

                    _entries = 0;
                    _bytes = 0;
                    _busy = true;

                    _notFull.Set();
                    return true;
                }

                if (_completed)
                {
                    return false;
                }

                _notEmpty.Reset();
            }

            _notEmpty.Wait(cancellationToken);
        }
    }

    /// <summary>The consumer applied everything <see cref="TakeAll"/> gave it.</summary>
    public void Done()
    {
        lock (_gate)
        {
            _busy = false;
        }
    }

    /// <summary>
    /// Producer only: true when nothing is queued and nothing taken is still being applied, so the
    /// producer may apply its next batch itself, in log order, without waking the consumer. Until
    /// <see cref="EndInline"/> the consumer takes nothing (the producer adds nothing meanwhile).
    /// </summary>
    public bool TryBeginInline(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_completed || _busy || _queue.Count > 0 || cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            _busy = true;
            return true;
        }
    }

    /// <summary>The producer applied the batch <see cref="TryBeginInline"/> let it keep.</summary>
    public void EndInline() => Done();

    /// <summary>No more batches: the consumer drains what is queued, then stops.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            _notEmpty.Set();
            _notFull.Set();
        }
    }
}

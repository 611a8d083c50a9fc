using Kvasir.Raft;

namespace Kvasir.Server.Member;

/// <summary>
/// The applier: one dedicated thread applies committed entries in log order onto the MVCC store
/// (a small batch reaching it idle is applied by the Raft loop's thread instead; one thread at a time),
/// each with its Raft index as the consistent index, and completes the waiting proposals. Entries
/// at or below the store's consistent index are skipped (the backend already holds them: a replay
/// after restart). Batches come from the Raft loop through a bounded queue: when the applier falls
/// behind, the loop waits, and proposals beyond 5,000 entries of lag are refused before they reach
/// Raft. A failure here (the backend broke, an invariant failed) is fatal: the member stops rather
/// than apply out of order or twice.
/// </summary>
internal sealed partial class Applier
{
    private readonly ApplierParts _parts;
    private readonly ApplyQueue _queue;
    private readonly Thread _thread;
    private readonly CancellationTokenSource _failed = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Applier(ApplierParts parts, long maxQueuedEntries, long maxQueuedBytes)
    {
        _parts = parts;
        _queue = new ApplyQueue(maxQueuedEntries, maxQueuedBytes);
        _thread = new Thread(Run) { IsBackground = true, Name = "kvasir-applier" };
    }

    /// <summary>Completes when the applier's thread has ended.</summary>
    public Task Exited => _exited.Task;

    public void Start() => _thread.Start();

    /// <summary>
    /// Hands a batch over (Raft loop thread): applied at once on the caller's thread when it is
    /// small and cheap and the applier idle (<see cref="TryApplyInline"/>), else queued; waits while
    /// the queue is full. After a fatal failure the batch is dropped: the member is stopping and
    /// replays it on the next start.
    /// </summary>
    public void Enqueue(ApplyBatch batch)
    {
        if (!TryApplyInline(batch))
        {
            _queue.Add(batch, _failed.Token);
        }
    }

    /// <summary>Applies what is queued, then ends. Call after the Raft loop has stopped.</summary>
    public Task StopAsync()
    {
        _queue.Complete();
        return _exited.Task;
    }

    private void Run()
    {
        try
        {
            var batches = new List<ApplyBatch>();
            while (_queue.TakeAll(batches, _failed.Token))
            {
                foreach (var batch in batches)
                {
                    ApplyAll(batch);
                }

                batches.Clear();
                _queue.Done();
            }
        }
        catch (OperationCanceledException) when (_failed.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _failed.Cancel();
            _parts.OnFatal(e);
        }
        finally
        {
            _exited.TrySetResult();
        }
    }

    private void ApplyAll(ApplyBatch batch)
    {
        foreach (var entry in batch.Entries)
        {
            if ((long)entry.Index <= _parts.Store.ConsistentIndex)
            {
                continue;
            }

            switch (entry.Type)
            {
                case EntryType.EntryNormal:
                    ApplyNormal(entry);
                    break;
                case EntryType.EntryConfChange:
                    ApplyConfChange(ConfChange.Parser.ParseFrom(entry.Data), entry);
                    break;
                case EntryType.EntryConfChangeV2:
                    ApplyConfChangeV2(ConfChangeV2.Parser.ParseFrom(entry.Data), entry);
                    break;
                default:
                    throw new InvalidOperationException($"entry {entry.Index} has unknown type {entry.Type}");
            }

        }

        _parts.OnBatchApplied(batch);
    }
}

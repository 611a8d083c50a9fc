using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Server.Watch;

/// <summary>
/// The sync worker (etcd's syncWatchersLoop and victims, in one): unsynced watchers — those that
/// started in the past and those parked because their stream was full — are given their events
/// from history, a round of up to MaxWatchersPerSync at a time, until they reach the notified
/// revision and join the synced group.
/// </summary>
public sealed partial class WatchHub
{
    /// <summary>Most revisions a round bridges from memory under the lock, after its history read, to catch up with Notify.</summary>
    private const int BridgeRevisions = 64;

    private readonly Thread _syncThread;
    private readonly ITimer _syncTimer;
    private readonly SemaphoreSlim _syncWake = new(0, int.MaxValue);
    private readonly List<Watcher> _chosen = [];
    private readonly List<Watcher> _compacted = [];
    private readonly List<WatcherSet> _syncMatched = [];
    private readonly List<Event[]> _fromMemory = [];
    private int _syncWakePending;
    private int _syncCursor;

    /// <summary>Wakes the sync worker (any thread, never waits). Wakes while it works are remembered: it runs another round.</summary>
    internal void WakeSync()
    {
        if (Interlocked.Exchange(ref _syncWakePending, 1) == 0)
        {
            _syncWake.Release();
        }
    }

    private void OnSyncTimer()
    {
        if (Volatile.Read(ref _slowCount) > 0)
        {
            WakeSync();
        }
    }

    private void SyncLoop()
    {
        while (true)
        {
            _syncWake.Wait();
            if (Volatile.Read(ref _disposed))
            {
                return;
            }

            Volatile.Write(ref _syncWakePending, 0);
            try
            {
                while (!Volatile.Read(ref _disposed) && SyncRound())
                {
                }
            }
            catch (ObjectDisposedException) when (Volatile.Read(ref _disposed))
            {
                return;
            }
            catch (Exception e)
            {
                // The store failed or closed under us; the member stops on such failures. Try again on the next wake.
                LogSyncFailed(_log, e);
                _chosen.Clear();
                _compacted.Clear();
                _fromMemory.Clear();
            }
        }
    }

    /// <summary>One round; true when it served someone and unsynced watchers remain (run another at once).</summary>
    private bool SyncRound()
    {
        long from;
        long through = 0;
        var inMemory = false;
        var progress = false;
        MvccStore store;
        lock (_lock)
        {
            store = _store;
            if (_unsynced.Count == 0 || _disposed)
            {
                return false;
            }

            from = Choose();
            progress = _compacted.Count > 0;
            _compacted.Clear();
            if (_chosen.Count == 0)
            {
                return progress && _unsynced.Count > 0;
            }

            if (from > _notifiedRevision || _recent.Covers(from))
            {
                inMemory = true;
                through = TakeFromMemory(from);
            }
        }

        try
        {
            IReadOnlyList<Event>? read = null;
            if (!inMemory)
            {
                ReadResult<EventBatch> result;
                try
                {
                    result = store.ReadEvents(from, long.MaxValue, _options.SyncBatchEvents, Bounds(_chosen), prevKv: false);
                }
                catch (ObjectDisposedException) when (!ReferenceEquals(store, Volatile.Read(ref _store)))
                {
                    // The store was replaced while this round read it: the next round reads the new one.
                    return true;
                }

                if (!result.Ok)
                {
                    // Compacted since the choice: the next round cancels whoever fell behind it.
                    return true;
                }

                read = result.Response!.Events;
                through = result.Response.Through;
            }

            var group = new WatcherGroup(track: false);
            foreach (var w in _chosen)
            {
                var set = group.Add(w);
                if (!w.HasFilters)
                {
                    // Watchers of one range without filters share one list of its events.
                    set.CatchUpFrom = Math.Min(set.CatchUpFrom, w.MinRevision);
                    w.CatchUpSet = set;
                }
            }

            if (read is not null)
            {
                MatchCatchUp(group, read);
            }

            foreach (var revision in _fromMemory)
            {
                MatchCatchUp(group, revision);
            }

            lock (_lock)
            {
                through = Bridge(group, through);
                progress |= HandOver(through);
            }
        }
        finally
        {
            foreach (var w in _chosen)
            {
                w.CatchUp = null;
                w.CatchUpSet = null;
            }

            _chosen.Clear();
            _fromMemory.Clear();
        }

        return progress && Volatile.Read(ref _slowCount) > 0;
    }

    /// <summary>
    /// Picks up to MaxWatchersPerSync unsynced watchers whose streams have room, round-robin, and
    /// cancels those whose next revision is compacted (etcd's compact_revision reply). Returns the
    /// lowest revision the chosen need. Under the lock.
    /// </summary>
    private long Choose()
    {
        var compactRevision = _store.CompactRevision;
        var from = long.MaxValue;
        var count = _unsynced.Count;
        var start = _syncCursor % count;
        var looked = 0;
        for (; looked < count && _chosen.Count < _options.MaxWatchersPerSync; looked++)
        {
            var w = _unsynced[(start + looked) % count];
            if (!w.Stream.HasRoom)
            {
                continue;
            }

            if (w.MinRevision < compactRevision)
            {
                _compacted.Add(w);
                continue;
            }

            _chosen.Add(w);
            from = Math.Min(from, w.MinRevision);
        }

        _syncCursor = start + looked;
        foreach (var w in _compacted)
        {
            // As in etcd, the watcher stays on its stream (its id in use) until the client cancels
            // it; etcd's client does so at once. The reply carries no revision in its header, only
            // the compacted one. It owes nothing more, so a RequestProgress waiting for it goes out
            // behind its reply.
            Detach(w);
            w.Stream.TryEnqueue(Outgoing.ForNotice(new WatchResponse { Header = Header(0), WatchId = w.Id, CompactRevision = compactRevision, Canceled = true }), force: true);
            if (w.Stream.ProgressRequested)
            {
                TryAnswerProgress(w.Stream);
            }
        }

        return from;
    }

    /// <summary>
    /// Queues each chosen watcher's events (one response, header = <paramref name="through"/>) and
    /// moves it on; those that reached the notified revision join the synced group. A watcher whose
    /// stream filled up meanwhile waits for the next round, its events dropped. Under the lock.
    /// </summary>
    private bool HandOver(long through)
    {
        var progress = false;
        var synced = through >= _notifiedRevision;
        var queued = 0;
        foreach (var w in _chosen)
        {
            if (w.State != WatcherState.Unsynced)
            {
                continue;
            }

            var (events, start, count) = CaughtUp(w, through);
            if (count > 0)
            {
                var added = w.Stream.TryEnqueue(Outgoing.ForEvents(w, events!, start, count), force: false);
                if (added < 0)
                {
                    continue;
                }

                queued += added;
                w.ProgressDue = false;
            }

            progress = true;
            w.MinRevision = Math.Max(w.MinRevision, through + 1);
            if (synced)
            {
                RemoveUnsynced(w);
                w.State = WatcherState.Synced;
                _synced.Add(w);
                if (w.Stream.ProgressRequested)
                {
                    TryAnswerProgress(w.Stream);
                }
            }
        }

        Queued(queued);
        return progress;
    }
}

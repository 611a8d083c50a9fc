using Google.Protobuf;
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
        lock (_lock)
        {
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
                var result = _store.ReadEvents(from, long.MaxValue, _options.SyncBatchEvents, Bounds(_chosen), prevKv: false);
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
            w.Stream.Watchers.Remove(w.Id);
            Detach(w);

            // etcd's reply carries no revision in its header, only the compacted one.
            w.Stream.TryEnqueue(Outgoing.ForNotice(new WatchResponse { Header = Header(0), WatchId = w.Id, CompactRevision = compactRevision, Canceled = true }), force: true);
            if (w.Stream.ProgressRequested)
            {
                TryAnswerProgress(w.Stream);
            }
        }

        return from;
    }

    /// <summary>Collects the held revisions from <paramref name="from"/> on, up to SyncBatchEvents events at a revision boundary; returns the last one. Under the lock.</summary>
    private long TakeFromMemory(long from)
    {
        var through = Math.Max(from - 1, _notifiedRevision);
        if (from > _notifiedRevision)
        {
            return through;
        }

        var events = 0;
        var compacted = _store.CompactRevision;
        for (var revision = from; revision <= _notifiedRevision; revision++)
        {
            var held = AsInBackend(_recent.At(revision), revision, compacted);
            if (events > 0 && events + held.Length > _options.SyncBatchEvents)
            {
                return revision - 1;
            }

            _fromMemory.Add(held);
            events += held.Length;
        }

        return _notifiedRevision;
    }

    /// <summary>
    /// A held revision as the backend's history has it: compaction at a revision drops the deletes
    /// made at that very revision (a tombstone at or below the compacted revision ends its
    /// generation, which goes; etcd's too), so a catch-up served from memory gives what one read
    /// from the backend would.
    /// </summary>
    private static Event[] AsInBackend(Event[] events, long revision, long compacted)
    {
        if (revision > compacted)
        {
            return events;
        }

        var kept = 0;
        foreach (var e in events)
        {
            if (e.Type == Event.Types.EventType.Put)
            {
                kept++;
            }
        }

        if (kept == events.Length)
        {
            return events;
        }

        var puts = new Event[kept];
        kept = 0;
        foreach (var e in events)
        {
            if (e.Type == Event.Types.EventType.Put)
            {
                puts[kept++] = e;
            }
        }

        return puts;
    }

    /// <summary>
    /// Gives each chosen watcher the events it takes (its range, its filters, at or above its
    /// MinRevision): a watcher without filters through its set's shared list, one with filters
    /// through a list of its own.
    /// </summary>
    private void MatchCatchUp(WatcherGroup group, IReadOnlyList<Event> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            group.Match(e.Kv.Key, _syncMatched);
            foreach (var set in _syncMatched)
            {
                if (e.Kv.ModRevision >= set.CatchUpFrom)
                {
                    (set.CatchUpEvents ??= []).Add(e);
                }

                for (var j = 0; j < set.Count; j++)
                {
                    var w = set[j];
                    if (w.HasFilters && e.Kv.ModRevision >= w.MinRevision && w.Accepts(e))
                    {
                        (w.CatchUp ??= []).Add(e);
                    }
                }
            }

            _syncMatched.Clear();
        }
    }

    /// <summary>Adds the few revisions notified since the round read its history, when memory holds them. Under the lock.</summary>
    private long Bridge(WatcherGroup group, long through)
    {
        var notified = _notifiedRevision;
        if (through >= notified || notified - through > BridgeRevisions || !_recent.Covers(through + 1))
        {
            return through;
        }

        var compacted = _store.CompactRevision;
        for (var revision = through + 1; revision <= notified; revision++)
        {
            MatchCatchUp(group, AsInBackend(_recent.At(revision), revision, compacted));
        }

        return notified;
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

    /// <summary>The run of events a chosen watcher takes this round: its own, or the tail of its set's shared list from its MinRevision.</summary>
    private static (EncodedEvents? Events, int Start, int Count) CaughtUp(Watcher w, long through)
    {
        if (w.CatchUp is { } own)
        {
            return (new EncodedEvents([.. own], through), 0, own.Count);
        }

        if (w.CatchUpSet is not { CatchUpEvents: { } all } set)
        {
            return (null, 0, 0);
        }

        var encoded = set.CatchUpEncoded ??= new EncodedEvents([.. all], through);
        var start = FirstAtOrAfter(encoded.Events, w.MinRevision);
        return (encoded, start, encoded.Count - start);
    }

    /// <summary>The index of the first event at or after <paramref name="revision"/> in revision-ordered <paramref name="events"/>.</summary>
    private static int FirstAtOrAfter(Event[] events, long revision)
    {
        int low = 0, high = events.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (events[mid].Kv.ModRevision < revision)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    /// <summary>The smallest key range holding every chosen watcher's keys, so the history read materializes fewer events.</summary>
    private static KeyRange? Bounds(List<Watcher> chosen)
    {
        ByteString? low = null;
        ByteString? high = null;
        var unbounded = false;
        foreach (var w in chosen)
        {
            var range = w.Range;
            if (low is null || range.Key.Span.SequenceCompareTo(low.Span) < 0)
            {
                low = range.Key;
            }

            if (!range.IsSingleKey && range.End is null)
            {
                unbounded = true;
                continue;
            }

            var end = range.End ?? ByteString.CopyFrom([.. range.Key.Span, (byte)0]);
            if (high is null || end.Span.SequenceCompareTo(high.Span) > 0)
            {
                high = end;
            }
        }

        if (low is null)
        {
            return null;
        }

        return new KeyRange(low, unbounded ? KeyRange.FromKeyEnd : high!);
    }
}

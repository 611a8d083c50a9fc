using Google.Protobuf;
using Kvasir.Api.Mvccpb;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Server.Watch;

/// <summary>Where a sync round's events come from (memory or the backend) and which of them each chosen watcher takes.</summary>
public sealed partial class WatchHub
{
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

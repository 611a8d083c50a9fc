using Kvasir.Api.Errors;
using Kvasir.Api.Mvccpb;

namespace Kvasir.Storage.Mvcc;

/// <summary>History for watches: the events between two revisions, read from the backend in revision order.</summary>
public sealed partial class MvccStore
{
    /// <summary>
    /// The events of revisions [<paramref name="fromRevision"/>, <paramref name="toRevision"/>] (the end
    /// capped at the current revision) on keys in <paramref name="filter"/> (all keys when null), in
    /// revision order, as etcd's watchable store sends them: a delete's Kv holds its key and mod revision.
    /// Stops at a revision boundary once <paramref name="maxEvents"/> are gathered. With
    /// <paramref name="prevKv"/> each event carries the key's value just before it, when not compacted.
    /// Errors: compacted, when <paramref name="fromRevision"/> is below the compacted revision (etcd's test
    /// for a watcher that fell behind). Safe from any thread.
    /// </summary>
    public ReadResult<EventBatch> ReadEvents(long fromRevision, long toRevision, int maxEvents = int.MaxValue, KeyRange? filter = null, bool prevKv = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEvents);
        EnterRead();
        try
        {
            var state = Volatile.Read(ref _state);
            if (fromRevision < state.CompactRev)
            {
                return EtcdErrors.Compacted;
            }

            var to = Math.Min(toRevision, state.CurrentRev);
            var events = new List<Event>();
            var through = to;
            if (fromRevision <= to)
            {
                var scan = new EventScan(events, filter, maxEvents);
                var buffer = state.Buffer;
                if (fromRevision < buffer.StartMain)
                {
                    ReadCommittedEvents(fromRevision, Math.Min(to, buffer.StartMain - 1), ref scan);
                }

                if (!scan.Full && to >= buffer.StartMain)
                {
                    var entries = buffer.Snapshot();
                    for (var i = WriteBuffer.LowerBound(entries, new Revision(Math.Max(fromRevision, buffer.StartMain), 0)); i < entries.Length; i++)
                    {
                        var e = entries[i];
                        if (e.Rev.Main > to || !scan.Offer(e.Rev, e.Tombstone, e.Kv))
                        {
                            break;
                        }
                    }
                }

                if (scan.Full)
                {
                    through = scan.StoppedAt - 1;
                }

                if (prevKv)
                {
                    AddPrevKvs(events);
                }
            }

            return new ReadResult<EventBatch>(new EventBatch(events, through));
        }
        finally
        {
            ExitRead();
        }
    }

    private void ReadCommittedEvents(long from, long to, ref EventScan scan)
    {
        Span<byte> low = stackalloc byte[Revision.KeyLength];
        Span<byte> high = stackalloc byte[Revision.KeyLength];
        new Revision(from, 0).WriteKey(low);
        new Revision(to + 1, 0).WriteKey(high);
        using var reader = _backend.RentReader();
        reader.ScanKv(low, high);
        while (reader.Next(out var key, out var value))
        {
            var rev = Revision.FromKey(key, out var tombstone);
            if (!scan.Offer(rev, tombstone, value))
            {
                return;
            }
        }
    }

    private void AddPrevKvs(List<Event> events)
    {
        foreach (var ev in events)
        {
            var prev = Get(ev.Kv.Key.Span, ev.Kv.ModRevision - 1);
            if (prev is not null)
            {
                ev.PrevKv = prev;
            }
        }
    }

    /// <summary>Gathers events from rows offered in revision order, filtering keys and stopping at a revision boundary.</summary>
    private ref struct EventScan(List<Event> events, KeyRange? filter, int maxEvents)
    {
        private long _lastMain;

        public bool Full { get; private set; }

        /// <summary>The revision at which gathering stopped when <see cref="Full"/>.</summary>
        public long StoppedAt { get; private set; }

        public bool Offer(Revision rev, bool tombstone, ReadOnlySpan<byte> encoded) =>
            Accept(rev) && Add(rev, tombstone, KeyValue.Parser.ParseFrom(encoded), shared: false);

        public bool Offer(Revision rev, bool tombstone, KeyValue kv) => Accept(rev) && Add(rev, tombstone, kv, shared: true);

        private bool Accept(Revision rev)
        {
            if (events.Count >= maxEvents && rev.Main != _lastMain)
            {
                Full = true;
                StoppedAt = rev.Main;
                return false;
            }

            _lastMain = rev.Main;
            return true;
        }

        private readonly bool Add(Revision rev, bool tombstone, KeyValue kv, bool shared)
        {
            if (filter is { } range && !range.Contains(kv.Key.Span))
            {
                return true;
            }

            if (tombstone)
            {
                // etcd patches the tombstone's mod revision in, so watchers can tell when it happened.
                kv = shared ? new KeyValue { Key = kv.Key, ModRevision = rev.Main } : kv;
                kv.ModRevision = rev.Main;
            }

            events.Add(new Event { Type = tombstone ? Event.Types.EventType.Delete : Event.Types.EventType.Put, Kv = kv });
            return true;
        }
    }
}

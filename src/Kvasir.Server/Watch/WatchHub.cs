using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;
using Kvasir.Server.Member;
using Kvasir.Storage.Mvcc;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Watch;

/// <summary>
/// etcd's watchable store, beside our MVCC store: every watcher of every stream, matched against
/// each write's events as the applier hands them over, with slow watchers parked and caught up
/// from history. README.md in this folder is the design.
/// <para>
/// Threading: one lock guards the watcher groups and every watcher's state. The applier's
/// <see cref="Notify"/> holds it while matching and queueing (never waiting: a full stream parks
/// its watcher); request loops hold it to create and cancel; the sync worker (one thread) holds it
/// to choose watchers and to hand them their history, and reads that history without it. Streams'
/// queues have their own locks, taken inside this one, never the other way round.
/// </para>
/// </summary>
public sealed partial class WatchHub : IWatchNotifier, IDisposable
{
    private MvccStore _store;
    private readonly IMemberState _member;
    private readonly WatchHubOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Lock _lock = new();
    private readonly WatcherGroup _synced = new(track: true);
    private readonly List<Watcher> _unsynced = [];
    private readonly HashSet<WatchStream> _progressWaiting = [];
    private readonly RecentHistory _recent;
    private readonly List<WatcherSet> _matched = [];
    private readonly List<Watcher> _touched = [];
    private readonly ConditionalWeakTable<Event, Event> _withPrevKv = [];
    private long _notifiedRevision;
    private EncodedHeader? _header;
    private bool _disposed;

    public WatchHub(MvccStore store, IMemberState member, WatchHubOptions options, TimeProvider time, ILoggerFactory logs)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logs);
        options.Validate();
        _store = store;
        _member = member;
        _options = options;
        _time = time;
        _log = logs.CreateLogger("Kvasir.Server.Watch");
        _recent = new RecentHistory(options.RecentRevisions);
        _notifiedRevision = store.CurrentRevision;
        FragmentLimit = (int)options.MaxRequestBytes + (512 * 1024);
        _ownedMeter = options.Meter is null ? new Meter("Kvasir") : null;
        CreateInstruments(options.Meter ?? _ownedMeter!);
        _syncThread = new Thread(SyncLoop) { IsBackground = true, Name = "kvasir-watch-sync" };
        _syncThread.Start();
        _syncTimer = time.CreateTimer(static s => ((WatchHub)s!).OnSyncTimer(), this, options.SyncInterval, options.SyncInterval);
    }

    public WatchHubOptions Options => _options;

    /// <summary>The revision of the last Notify: every synced watcher has been given every event through it.</summary>
    public long NotifiedRevision => Volatile.Read(ref _notifiedRevision);

    internal TimeProvider Time => _time;

    /// <summary>The size at which a fragmenting watcher's response is split (max request bytes + 512 KiB).</summary>
    internal int FragmentLimit { get; }

    /// <summary>Opens the hub's side of a Watch stream; dispose it when the stream ends.</summary>
    public WatchStream OpenStream()
    {
        var stream = new WatchStream(this, _options.StreamCapacity, _options.ControlBacklog);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _openStreams.Add(stream);
            _streamCount++;
        }

        return stream;
    }

    /// <summary>
    /// The events of the write transaction that made <paramref name="revision"/>. Applier thread, in
    /// revision order; never waits. Each synced watcher whose range and filters take some of them
    /// gets them queued to its stream as one response; a watcher whose stream is full is parked at
    /// this revision instead. The list is not kept; its events are shared and must not change.
    /// </summary>
    public void Notify(IReadOnlyList<Event> events, long revision)
    {
        ArgumentNullException.ThrowIfNull(events);
        var shared = new Event[events.Count];
        for (var i = 0; i < shared.Length; i++)
        {
            shared[i] = events[i];
        }

        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (revision <= _notifiedRevision)
            {
                LogStaleNotify(_log, revision, _notifiedRevision);
                return;
            }

            if (revision != _notifiedRevision + 1)
            {
                // Revisions were never notified: whoever could have needed them reads them from history.
                LogNotifyGap(_log, _notifiedRevision, revision);
                ParkBehind(_notifiedRevision + 1, revision);
            }

            Volatile.Write(ref _notifiedRevision, revision);
            _recent.Append(revision, shared);
            if (_synced.Count > 0 && shared.Length > 0)
            {
                Deliver(shared, revision);
            }

            if (_progressWaiting.Count > 0)
            {
                AnswerWaitingProgress();
            }
        }
    }

    /// <summary>
    /// The member replaced its store (a Raft snapshot was installed). Every synced watcher is parked
    /// where it stands and reads what it lacks from the new store's history, as etcd's Restore moves
    /// every synced watcher to the unsynced group; one whose next revision the new store has
    /// compacted is canceled with compact_revision. Applier thread, between Notify calls.
    /// </summary>
    public void Restore(MvccStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var given = _notifiedRevision;
            _store = store;
            _recent.Clear();
            Volatile.Write(ref _notifiedRevision, store.CurrentRevision);
            var synced = new List<Watcher>();
            foreach (var stream in _openStreams)
            {
                foreach (var w in stream.Watchers.Values)
                {
                    if (w.State == WatcherState.Synced)
                    {
                        synced.Add(w);
                    }
                }
            }

            foreach (var w in synced)
            {
                // A synced watcher has been given everything through the old store's notified revision.
                Park(w, Math.Max(w.MinRevision, given + 1));
            }
        }
    }

    public void Dispose()
    {
        List<WatchStream> streams;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            streams = [.. _openStreams];
        }

        _syncTimer.Dispose();
        _syncWake.Release();
        _syncThread.Join(TimeSpan.FromSeconds(10));
        foreach (var stream in streams)
        {
            stream.Dispose();
        }

        _ownedMeter?.Dispose();
        _syncWake.Dispose();
    }

    /// <summary>A response header for <paramref name="revision"/>; consecutive responses of one revision share one (they are never changed).</summary>
    internal ResponseHeader Header(long revision)
    {
        var cached = Volatile.Read(ref _header);
        if (cached is not null && cached.Header.Revision == revision && cached.Header.RaftTerm == _member.Term)
        {
            return cached.Header;
        }

        return CacheHeader(revision).Header;
    }

    /// <summary>The header of <paramref name="revision"/> encoded as field 1 of a WatchResponse, shared like <see cref="Header"/>.</summary>
    internal byte[] HeaderField(long revision)
    {
        var cached = Volatile.Read(ref _header);
        if (cached is not null && cached.Header.Revision == revision && cached.Header.RaftTerm == _member.Term)
        {
            return cached.Field;
        }

        return CacheHeader(revision).Field;
    }

    private EncodedHeader CacheHeader(long revision)
    {
        var header = _member.Header(revision);
        var size = header.CalculateSize();
        var lengthSize = CodedOutputStream.ComputeLengthSize(size);
        var field = new byte[1 + lengthSize + size];
        field[0] = (1 << 3) | 2;
        Varint.Write(field.AsSpan(1), (ulong)size);
        header.WriteTo(field.AsSpan(1 + lengthSize));
        var encoded = new EncodedHeader(header, field);
        Volatile.Write(ref _header, encoded);
        return encoded;
    }

    /// <summary>
    /// The event with its key's previous value (etcd reads it at mod_revision - 1 as it sends; a
    /// creation has none, nor has a compacted one). The shared event is never changed: a copy is
    /// made once and shared by every watcher that asked for prev_kv.
    /// </summary>
    internal Event WithPrevKv(Event e)
    {
        if (e.Type == Event.Types.EventType.Put && e.Kv.CreateRevision == e.Kv.ModRevision)
        {
            return e;
        }

        // Compacted since it was looked up, perhaps: answer as the backend does now.
        if (e.Kv.ModRevision - 1 < _store.CompactRevision)
        {
            return e;
        }

        if (_withPrevKv.TryGetValue(e, out var known))
        {
            return known;
        }

        var prev = _store.Get(e.Kv.Key.Span, e.Kv.ModRevision - 1);
        var withPrev = prev is null ? e : new Event { Type = e.Type, Kv = e.Kv, PrevKv = prev };
        _withPrevKv.TryAdd(e, withPrev);
        return withPrev;
    }

    /// <summary>Matches one revision's events against the synced group and queues each watcher's share. Under the lock.</summary>
    private void Deliver(Event[] events, long revision)
    {
        for (var i = 0; i < events.Length; i++)
        {
            var e = events[i];
            _synced.Match(e.Kv.Key, _matched);
            foreach (var set in _matched)
            {
                for (var j = 0; j < set.Count; j++)
                {
                    var w = set[j];
                    if (revision < w.MinRevision || !w.Accepts(e))
                    {
                        continue;
                    }

                    if (w.BatchRevision != revision)
                    {
                        w.BatchRevision = revision;
                        w.BatchFirst = i;
                        w.BatchLast = i;
                        w.BatchCount = 1;
                        _touched.Add(w);
                        continue;
                    }

                    if (w.BatchList is null && i != w.BatchLast + 1)
                    {
                        // Not a run of the revision's events: this watcher's share gets its own list.
                        w.BatchList = [.. events.AsSpan(w.BatchFirst, w.BatchCount)];
                    }

                    w.BatchList?.Add(e);
                    w.BatchLast = i;
                    w.BatchCount++;
                }
            }

            _matched.Clear();
        }

        // Watchers that take a run of the events (all of them, or one) share their encoding.
        var shared = new EncodedEvents(events, revision);
        var queued = 0;
        foreach (var w in _touched)
        {
            var item = w.BatchList is { } own
                ? Outgoing.ForEvents(w, new EncodedEvents([.. own], revision), 0, own.Count)
                : Outgoing.ForEvents(w, shared, w.BatchFirst, w.BatchCount);
            w.BatchList = null;
            var count = w.Stream.TryEnqueue(item, force: false);
            if (count >= 0)
            {
                queued += count;
                w.ProgressDue = false;
            }
            else
            {
                Park(w, revision);
            }
        }

        _touched.Clear();
        Queued(queued);
    }

    /// <summary>Moves a synced watcher to the unsynced group: it is given revisions from <paramref name="fromRevision"/> on from history.</summary>
    private void Park(Watcher w, long fromRevision)
    {
        _synced.Remove(w);
        w.MinRevision = fromRevision;
        AddUnsynced(w);
        LogParked(_log, w.Id, fromRevision);
    }

    /// <summary>Parks every synced watcher that would take a revision in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    private void ParkBehind(long from, long to)
    {
        var behind = new List<Watcher>();
        foreach (var stream in _openStreams)
        {
            foreach (var w in stream.Watchers.Values)
            {
                if (w.State == WatcherState.Synced && w.MinRevision < to)
                {
                    behind.Add(w);
                }
            }
        }

        foreach (var w in behind)
        {
            Park(w, Math.Max(w.MinRevision, from));
        }
    }

    private void AddUnsynced(Watcher w)
    {
        w.State = WatcherState.Unsynced;
        w.UnsyncedSlot = _unsynced.Count;
        _unsynced.Add(w);
        Volatile.Write(ref _slowCount, _unsynced.Count);
    }

    private void RemoveUnsynced(Watcher w)
    {
        var slot = w.UnsyncedSlot;
        var last = _unsynced[^1];
        _unsynced[slot] = last;
        last.UnsyncedSlot = slot;
        _unsynced.RemoveAt(_unsynced.Count - 1);
        w.UnsyncedSlot = -1;
        Volatile.Write(ref _slowCount, _unsynced.Count);
    }

    /// <summary>A header and its encoding as field 1, published together.</summary>
    private sealed record EncodedHeader(ResponseHeader Header, byte[] Field);
}

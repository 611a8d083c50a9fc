using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;

namespace Kvasir.Server.Watch;

/// <summary>
/// One watcher: what it watches (immutable), and where it stands (mutable, guarded by the hub's
/// lock). <see cref="MinRevision"/> is the lowest revision whose events it has not been given: every
/// event below it is queued to its stream or was filtered out, none at or above it is.
/// </summary>
internal sealed class Watcher
{
    public Watcher(WatchStream stream, long id, WatchRange range, WatchCreateRequest request)
    {
        Stream = stream;
        Id = id;
        Range = range;
        StartRevision = request.StartRevision;
        PrevKv = request.PrevKv;
        Fragment = request.Fragment;
        ProgressNotify = request.ProgressNotify;
        foreach (var filter in request.Filters)
        {
            switch (filter)
            {
                case WatchCreateRequest.Types.FilterType.Noput:
                    NoPut = true;
                    break;
                case WatchCreateRequest.Types.FilterType.Nodelete:
                    NoDelete = true;
                    break;
                default:
                    // etcd ignores filter values it does not know.
                    break;
            }
        }
    }

    public WatchStream Stream { get; }

    public long Id { get; }

    public WatchRange Range { get; }

    /// <summary>The start revision the client asked for; 0 for "from now".</summary>
    public long StartRevision { get; }

    public bool NoPut { get; }

    public bool NoDelete { get; }

    public bool PrevKv { get; }

    public bool Fragment { get; }

    public bool ProgressNotify { get; }

    // Guarded by the hub's lock.
    public WatcherState State { get; set; }

    public long MinRevision { get; set; }

    /// <summary>The synced group's set holding this watcher and its slot there; null when not synced.</summary>
    public WatcherSet? Set { get; set; }

    public int Slot { get; set; }

    /// <summary>This watcher's index in the hub's unsynced list while unsynced.</summary>
    public int UnsyncedSlot { get; set; } = -1;

    /// <summary>etcd's progress flag: no events were queued since the last progress tick.</summary>
    public bool ProgressDue { get; set; } = true;

    // Scratch of one Notify, guarded by the hub's lock: the events of revision BatchRevision this
    // watcher takes (the first one's index, and a list once there are two).
    public long BatchRevision { get; set; }

    public int BatchFirst { get; set; }

    public int BatchLast { get; set; }

    public int BatchCount { get; set; }

    public List<Event>? BatchList { get; set; }

    /// <summary>Scratch of one sync round, owned by the sync worker: this watcher's own events (it has filters).</summary>
    public List<Event>? CatchUp { get; set; }

    /// <summary>Scratch of one sync round: the round's set sharing its range, whose events it takes from MinRevision on (it has no filters).</summary>
    public WatcherSet? CatchUpSet { get; set; }

    public bool HasFilters => NoPut || NoDelete;

    /// <summary>False when a NOPUT or NODELETE filter drops <paramref name="e"/>.</summary>
    public bool Accepts(Event e) => e.Type == Event.Types.EventType.Put ? !NoPut : !NoDelete;
}

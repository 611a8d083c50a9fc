using Kvasir.Api.Mvccpb;

namespace Kvasir.Server.Watch;

/// <summary>
/// The events of the latest revisions the hub was notified of, in a ring: a sync round that starts
/// within it reads memory instead of the backend, and the last few revisions a round could not see
/// are bridged from it. Holds contiguous revisions only; a gap empties it. Guarded by the hub's lock;
/// the arrays it hands out are never changed.
/// </summary>
internal sealed class RecentHistory(int capacity)
{
    private readonly Event[][] _ring = new Event[capacity][];
    private long _newest;
    private int _count;

    /// <summary>The oldest revision held; meaningful when <see cref="Count"/> is not 0.</summary>
    public long Oldest => _newest - _count + 1;

    public long Newest => _newest;

    public int Count => _count;

    public void Append(long revision, Event[] events)
    {
        if (capacity == 0)
        {
            return;
        }

        if (_count > 0 && revision != _newest + 1)
        {
            _count = 0;
        }

        _ring[revision % capacity] = events;
        _newest = revision;
        _count = Math.Min(_count + 1, capacity);
    }

    /// <summary>Forgets every held revision.</summary>
    public void Clear() => _count = 0;

    /// <summary>True when every revision from <paramref name="from"/> to the newest is held.</summary>
    public bool Covers(long from) => _count > 0 && from >= Oldest;

    /// <summary>The events of a held revision.</summary>
    public Event[] At(long revision) => _ring[revision % capacity];
}

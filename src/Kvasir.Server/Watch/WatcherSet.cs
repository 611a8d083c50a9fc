namespace Kvasir.Server.Watch;

/// <summary>
/// The watchers of one key or one interval, in a group. A tracking set records each watcher's slot
/// on the watcher (the synced group), so removal is O(1); a non-tracking set leaves the watcher
/// alone (a sync round's throw-away group). Not thread-safe: the owner locks.
/// </summary>
internal sealed class WatcherSet(bool track)
{
    private Watcher[] _items = new Watcher[2];

    public int Count { get; private set; }

    // Scratch of a sync round's throw-away group, owned by the sync worker: the lowest MinRevision of
    // the set's watchers without filters, the events of its range from there on, and their encoding.
    public long CatchUpFrom { get; set; } = long.MaxValue;

    public List<Kvasir.Api.Mvccpb.Event>? CatchUpEvents { get; set; }

    public EncodedEvents? CatchUpEncoded { get; set; }

    public Watcher this[int index] => _items[index];

    public void Add(Watcher watcher)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        if (track)
        {
            watcher.Set = this;
            watcher.Slot = Count;
        }

        _items[Count++] = watcher;
    }

    /// <summary>Removes a watcher this (tracking) set holds, moving the last one into its slot.</summary>
    public void Remove(Watcher watcher)
    {
        var slot = watcher.Slot;
        var last = _items[--Count];
        _items[slot] = last;
        last.Slot = slot;
        _items[Count] = null!;
        watcher.Set = null;
    }
}

using Google.Protobuf;

namespace Kvasir.Server.Watch;

/// <summary>
/// Watchers indexed for matching events (etcd's watcherGroup): single-key watchers in a hash map
/// by key, range watchers in an interval tree of their distinct ranges, the watchers of one key or
/// one range sharing a set. Matching one event costs one hash lookup and one stabbing query,
/// whatever the number of watchers that do not match. Not thread-safe: the owner locks.
/// </summary>
internal sealed class WatcherGroup(bool track)
{
    private readonly Dictionary<ByteString, WatcherSet> _keys = [];
    private readonly IntervalTree<WatcherSet> _ranges = new();

    public int Count { get; private set; }

    /// <summary>Adds a watcher; returns the set of its key or range.</summary>
    public WatcherSet Add(Watcher watcher)
    {
        var range = watcher.Range;
        WatcherSet? set;
        if (range.IsSingleKey)
        {
            if (!_keys.TryGetValue(range.Key, out set))
            {
                set = new WatcherSet(track);
                _keys.Add(range.Key, set);
            }
        }
        else
        {
            set = _ranges.Find(range.Key, range.End);
            if (set is null)
            {
                set = new WatcherSet(track);
                _ranges.Insert(range.Key, range.End, set);
            }
        }

        set.Add(watcher);
        Count++;
        return set;
    }

    /// <summary>Removes a watcher of this (tracking) group.</summary>
    public void Remove(Watcher watcher)
    {
        var set = watcher.Set ?? throw new InvalidOperationException($"watcher {watcher.Id} is not in a group");
        set.Remove(watcher);
        Count--;
        if (set.Count == 0)
        {
            var range = watcher.Range;
            if (range.IsSingleKey)
            {
                _keys.Remove(range.Key);
            }
            else
            {
                _ranges.Remove(range.Key, range.End);
            }
        }
    }

    /// <summary>Adds to <paramref name="found"/> every set whose watchers watch <paramref name="key"/>.</summary>
    public void Match(ByteString key, List<WatcherSet> found)
    {
        if (_keys.Count > 0 && _keys.TryGetValue(key, out var set))
        {
            found.Add(set);
        }

        if (_ranges.Count > 0)
        {
            _ranges.Stab(key.Span, found);
        }
    }
}

namespace Kvasir.Server.Watch;

/// <summary>
/// Coalescing on the sender's thread: when the sender takes a backlog (at least
/// <see cref="CoalesceBacklog"/> items), each watcher's queued
/// events between two replies become one response instead of one per revision (etcd sends a
/// behind watcher's revisions in one response too: its unsynced and victim batches).
/// </summary>
/// <remarks>
/// What a client sees stays what etcd could send: a watcher's events keep their order, a
/// revision's events are never split, a response's header revision is the last revision in it,
/// and nothing moves across a reply (created, canceled, compacted, progress): a progress reply
/// still follows every event it vouches for, a created reply precedes its watcher's events and a
/// canceled reply follows them. Only the interleaving of different watchers' responses between
/// two replies changes, which no client can rely on. Watchers created with fragment=true keep
/// one response per queued item (their pieces are cut per response).
/// </remarks>
public sealed partial class WatchStream
{
    /// <summary>
    /// The backlog, in queued items, from which the sender joins: etcd's stream buffer
    /// (chanBufLen, 128 responses), beyond which etcd turns a watcher into a victim and later
    /// sends its revisions together. Below it every revision goes out alone, as from etcd.
    /// </summary>
    internal const int CoalesceBacklog = 128;

    /// <summary>A coalesced response holds at most this many encoded event bytes (a single queued item may exceed it alone).</summary>
    internal const int CoalesceMaxBytes = 64 * 1024;

    /// <summary>A coalesced response holds at most this many queued items (revisions, or catch-up runs): etcd's watchBatchMaxRevs.</summary>
    internal const int CoalesceMaxItems = 1000;

    // Sender-owned scratch, reused across reads: for each taken item, the next item of its
    // watcher in the same segment (-1 at the end); for each watcher, its group's last item.
    private readonly List<int> _nextOfWatcher = [];
    private readonly Dictionary<Watcher, int> _lastOfWatcher = new(ReferenceEqualityComparer.Instance);
    private readonly List<WatchFrame.Run> _runs = [];

    /// <summary>Turns <c>_taking</c> into frames, segment by segment (replies end a segment).</summary>
    private void ToFramesCoalesced(List<WatchFrame> frames)
    {
        var items = _taking;
        _nextOfWatcher.Clear();
        for (var i = 0; i < items.Count; i++)
        {
            _nextOfWatcher.Add(-1);
        }

        var at = 0;
        while (at < items.Count)
        {
            if (items[at].Response is not null)
            {
                ToFrames(items[at], frames);
                at++;
                continue;
            }

            var end = at;
            while (end < items.Count && items[end].Response is null)
            {
                end++;
            }

            CoalesceSegment(at, end, frames);
            at = end;
        }
    }

    /// <summary>Events items [<paramref name="from"/>, <paramref name="end"/>): one chain per watcher, emitted where the watcher first appears.</summary>
    private void CoalesceSegment(int from, int end, List<WatchFrame> frames)
    {
        var items = _taking;
        var heads = 0;
        for (var i = from; i < end; i++)
        {
            var watcher = items[i].Watcher!;
            if (_lastOfWatcher.TryGetValue(watcher, out var last))
            {
                _nextOfWatcher[last] = i;
            }
            else
            {
                heads++;
            }

            _lastOfWatcher[watcher] = i;
        }

        if (heads == end - from)
        {
            // Nothing to join: every item is a different watcher's.
            _lastOfWatcher.Clear();
            for (var i = from; i < end; i++)
            {
                ToFrames(items[i], frames);
            }

            return;
        }

        for (var i = from; i < end; i++)
        {
            var watcher = items[i].Watcher!;
            if (!_lastOfWatcher.Remove(watcher))
            {
                continue; // not a chain's head: emitted with its chain already
            }

            if (watcher.Fragment || _nextOfWatcher[i] < 0)
            {
                for (var k = i; k >= 0; k = _nextOfWatcher[k])
                {
                    ToFrames(items[k], frames);
                }

                continue;
            }

            EmitChain(watcher, i, frames);
        }
    }

    /// <summary>One watcher's items from <paramref name="first"/> along the chain, joined into responses within the coalescing limits.</summary>
    private void EmitChain(Watcher watcher, int first, List<WatchFrame> frames)
    {
        var items = _taking;
        var bytes = 0;
        byte[]? header = null;
        for (var k = first; k >= 0; k = _nextOfWatcher[k])
        {
            var item = items[k];
            var shared = item.Events!;
            var (encoded, size) = shared.Encode(item.Start, item.Count, watcher.PrevKv, _hub);
            if (_runs.Count > 0 && (bytes + size > CoalesceMaxBytes || _runs.Count >= CoalesceMaxItems))
            {
                frames.Add(WatchFrame.Joined(header!, watcher.Id, [.. _runs], bytes));
                _runs.Clear();
                bytes = 0;
            }

            _runs.Add(new WatchFrame.Run(encoded, item.Start, item.Count));
            bytes += size;
            header = shared.Header(_hub);
        }

        frames.Add(WatchFrame.Joined(header!, watcher.Id, [.. _runs], bytes));
        _runs.Clear();
    }
}

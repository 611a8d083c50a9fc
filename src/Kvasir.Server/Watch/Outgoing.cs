using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Server.Watch;

/// <summary>
/// One item of a stream's queue: a run of shared events for one watcher (made into a frame by the
/// stream's sender, which adds prev_kv and fragments), or a reply built already (created,
/// canceled, compacted, progress).
/// </summary>
internal readonly struct Outgoing
{
    private Outgoing(Watcher? watcher, EncodedEvents? events, int start, int count, WatchResponse? response, bool isReply)
    {
        Watcher = watcher;
        Events = events;
        Start = start;
        Count = count;
        Response = response;
        IsReply = isReply;
    }

    public Watcher? Watcher { get; }

    public EncodedEvents? Events { get; }

    /// <summary>The first of the watcher's events in <see cref="Events"/>.</summary>
    public int Start { get; }

    /// <summary>How many events from <see cref="Start"/> are the watcher's (0 for a reply).</summary>
    public int Count { get; }

    /// <summary>A reply built already, or null for events.</summary>
    public WatchResponse? Response { get; }

    /// <summary>True for the reply to a client's request (counted against the stream's control backlog).</summary>
    public bool IsReply { get; }

    /// <summary>Events <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> of <paramref name="events"/>, in one response with their header revision.</summary>
    public static Outgoing ForEvents(Watcher watcher, EncodedEvents events, int start, int count) => new(watcher, events, start, count, null, false);

    public static Outgoing ForReply(WatchResponse response) => new(null, null, 0, 0, response, true);

    public static Outgoing ForNotice(WatchResponse response) => new(null, null, 0, 0, response, false);
}

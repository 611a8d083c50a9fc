using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.Mvccpb;

namespace Kvasir.Server.Watch;

/// <summary>
/// One item of a stream's queue: the events of one watcher up to a revision (turned into a
/// WatchResponse by the stream's sender, which adds prev_kv and fragments), or a response built
/// already (created, canceled, compacted, progress). The event list and its events are shared and
/// never changed.
/// </summary>
internal readonly struct Outgoing
{
    private Outgoing(Watcher? watcher, IReadOnlyList<Event>? events, long revision, WatchResponse? response, bool isReply)
    {
        Watcher = watcher;
        Events = events;
        Revision = revision;
        Response = response;
        IsReply = isReply;
    }

    public Watcher? Watcher { get; }

    public IReadOnlyList<Event>? Events { get; }

    /// <summary>The header revision of an events response.</summary>
    public long Revision { get; }

    /// <summary>A response built already, or null for events.</summary>
    public WatchResponse? Response { get; }

    /// <summary>True for the reply to a client's request (counted against the stream's control backlog).</summary>
    public bool IsReply { get; }

    public int EventCount => Events?.Count ?? 0;

    public static Outgoing ForEvents(Watcher watcher, IReadOnlyList<Event> events, long revision) => new(watcher, events, revision, null, false);

    public static Outgoing ForReply(WatchResponse response) => new(null, null, 0, response, true);

    public static Outgoing ForNotice(WatchResponse response) => new(null, null, 0, response, false);
}

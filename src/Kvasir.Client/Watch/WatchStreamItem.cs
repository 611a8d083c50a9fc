using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client.Internal;

/// <summary>What the watch loop acts on, one at a time and in order.</summary>
internal enum WatchStreamItemKind
{
    /// <summary>A reader started a watch.</summary>
    Add,

    /// <summary>A reader let go of its watch.</summary>
    Remove,

    /// <summary>A caller asked for a progress notification.</summary>
    Progress,

    /// <summary>A response arrived on the stream of generation <see cref="WatchStreamItem.Generation"/>.</summary>
    Response,

    /// <summary>The stream of that generation ended (with <see cref="WatchStreamItem.Error"/>, or cleanly).</summary>
    Broken,

    /// <summary>The back-off before reconnecting the stream of that generation is over.</summary>
    Reconnect,
}

/// <summary>One item of the watch loop's queue. Items of an older stream generation are stale and ignored.</summary>
internal readonly record struct WatchStreamItem(
    WatchStreamItemKind Kind,
    int Generation = 0,
    Watcher? Watcher = null,
    WatchResponse? Response = null,
    Exception? Error = null,
    TaskCompletionSource? Done = null);

namespace Kvasir.Server.Watch;

/// <summary>Where a watcher is in the hub (etcd's watcher groups).</summary>
internal enum WatcherState
{
    /// <summary>Caught up: every Notify at or above its MinRevision is queued to its stream at once.</summary>
    Synced,

    /// <summary>Behind (a past start revision, or parked because its stream was full): the sync worker reads its events from history.</summary>
    Unsynced,

    /// <summary>Canceled, compacted or its stream closed: it receives nothing more.</summary>
    Canceled,
}

using System.Diagnostics.Metrics;

namespace Kvasir.Server.Watch;

/// <summary>How the watch hub and the Watch service behave. Defaults follow etcd's.</summary>
public sealed class WatchHubOptions
{
    /// <summary>etcd's smallest progress-notify interval; shorter ones are raised to it.</summary>
    public static readonly TimeSpan MinProgressNotifyInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How often a watcher created with progress_notify hears the revision when no events came
    /// (etcd's --watch-progress-notify-interval, 10 minutes), plus up to a tenth of it as jitter.
    /// </summary>
    public TimeSpan ProgressNotifyInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// etcd's --max-request-bytes (1.5 MiB). A response to a watcher created with fragment=true is
    /// split when it reaches this plus 512 KiB of gRPC overhead and holds two events or more.
    /// </summary>
    public long MaxRequestBytes { get; init; } = 1572864;

    /// <summary>
    /// Events one stream may hold queued and not yet handed to its sender. A watcher whose stream is
    /// this full when its events come is parked (made unsynced) and later caught up from history,
    /// so that a slow client never holds the applier nor the other watchers. Small on purpose (about
    /// etcd's 128-response stream buffer): a lagging stream's watchers are then served by catch-up
    /// rounds, one response per watcher per round, instead of one response per revision.
    /// </summary>
    public int StreamCapacity { get; init; } = 256;

    /// <summary>Create, cancel and progress replies a stream may hold unsent before it stops reading requests (etcd's ctrl buffer, 16).</summary>
    public int ControlBacklog { get; init; } = 16;

    /// <summary>Most unsynced watchers one sync round serves (etcd's maxWatchersPerSync, 512).</summary>
    public int MaxWatchersPerSync { get; init; } = 512;

    /// <summary>Most events one sync round reads from history; a round stops at a revision boundary after this many.</summary>
    public int SyncBatchEvents { get; init; } = 10_000;

    /// <summary>How many of the latest revisions' events the hub keeps in memory, so most catch-ups never read the backend. 0 turns it off.</summary>
    public int RecentRevisions { get; init; } = 1024;

    /// <summary>How often the sync worker serves unsynced watchers (etcd: victims every 10 ms, unsynced every 100 ms). A parked watcher waits for this tick, so each round joins its revisions.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// The member's election timeout (etcd's --election-timeout). A stream opened with the
    /// <c>hasleader</c> metadata ends with <c>etcdserver: no leader</c> once three such periods
    /// in a row found no leader, as etcd's leader monitor does.
    /// </summary>
    public TimeSpan ElectionTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The source of progress-notify jitter; tests pass a seeded one.</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>The meter the etcd_debugging_mvcc_* instruments go on (the member's "Kvasir" meter); null makes the hub its own.</summary>
    public Meter? Meter { get; init; }

    internal void Validate()
    {
        if (ProgressNotifyInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ProgressNotifyInterval), ProgressNotifyInterval, "must be positive");
        }

        if (MaxRequestBytes <= 0 || MaxRequestBytes > int.MaxValue - (512 * 1024))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRequestBytes), MaxRequestBytes, "must be positive and below 2 GiB");
        }

        CheckPositive(StreamCapacity, nameof(StreamCapacity));
        CheckPositive(ControlBacklog, nameof(ControlBacklog));
        CheckPositive(MaxWatchersPerSync, nameof(MaxWatchersPerSync));
        CheckPositive(SyncBatchEvents, nameof(SyncBatchEvents));
        if (RecentRevisions < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RecentRevisions), RecentRevisions, "must not be negative");
        }

        if (SyncInterval <= TimeSpan.Zero || ElectionTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(SyncInterval <= TimeSpan.Zero ? nameof(SyncInterval) : nameof(ElectionTimeout), "must be positive");
        }

        ArgumentNullException.ThrowIfNull(Random);
    }

    private static void CheckPositive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "must be positive");
        }
    }
}

using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Watch;

/// <summary>etcd's watch metrics (etcd_debugging_mvcc_*), observed from counters the hub keeps, and the hub's log lines.</summary>
public sealed partial class WatchHub
{
    private readonly Meter? _ownedMeter;
    private int _watcherCount;
    private int _streamCount;
    private int _slowCount;
    private long _pendingEvents;
    private long _eventsSent;

    /// <summary>Watchers on all streams (etcd_debugging_mvcc_watcher_total).</summary>
    public int WatcherCount => Volatile.Read(ref _watcherCount);

    /// <summary>Open streams (etcd_debugging_mvcc_watch_stream_total).</summary>
    public int StreamCount => Volatile.Read(ref _streamCount);

    /// <summary>Unsynced watchers: behind, being caught up from history (etcd_debugging_mvcc_slow_watcher_total).</summary>
    public int SlowWatcherCount => Volatile.Read(ref _slowCount);

    /// <summary>Events queued to streams and not yet taken by their senders (etcd_debugging_mvcc_pending_events_total).</summary>
    public long PendingEventCount => Volatile.Read(ref _pendingEvents);

    /// <summary>Events handed to senders since start (etcd_debugging_mvcc_events_total).</summary>
    public long EventsSent => Volatile.Read(ref _eventsSent);

    /// <summary>A stream queued <paramref name="events"/> events.</summary>
    internal void Queued(int events)
    {
        if (events != 0)
        {
            Interlocked.Add(ref _pendingEvents, events);
        }
    }

    /// <summary>A stream's sender took <paramref name="events"/> events (or a closing stream dropped them).</summary>
    internal void Taken(int events, bool countSent = true)
    {
        if (events != 0)
        {
            Interlocked.Add(ref _pendingEvents, -events);
            if (countSent)
            {
                Interlocked.Add(ref _eventsSent, events);
            }
        }
    }

    private void CreateInstruments(Meter meter)
    {
        meter.CreateObservableGauge("etcd_debugging_mvcc_watcher_total", () => WatcherCount, description: "Total number of watchers.");
        meter.CreateObservableGauge("etcd_debugging_mvcc_watch_stream_total", () => StreamCount, description: "Total number of watch streams.");
        meter.CreateObservableGauge("etcd_debugging_mvcc_slow_watcher_total", () => SlowWatcherCount, description: "Total number of unsynced slow watchers.");
        meter.CreateObservableGauge("etcd_debugging_mvcc_pending_events_total", () => PendingEventCount, description: "Total number of pending events to be sent.");
        meter.CreateObservableCounter("etcd_debugging_mvcc_events_total", () => EventsSent, description: "Total number of events sent by this member.");
    }

    [LoggerMessage(1, LogLevel.Debug, "watcher {WatchId} parked at revision {Revision}: its stream is full")]
    private static partial void LogParked(ILogger log, long watchId, long revision);

    [LoggerMessage(2, LogLevel.Warning, "watch notify for revision {Revision} after {Notified}: ignored")]
    private static partial void LogStaleNotify(ILogger log, long revision, long notified);

    [LoggerMessage(3, LogLevel.Warning, "watch notify jumped from revision {Notified} to {Revision}: watchers that needed the gap catch up from history")]
    private static partial void LogNotifyGap(ILogger log, long notified, long revision);

    [LoggerMessage(4, LogLevel.Error, "watch sync round failed; retrying on the next wake")]
    private static partial void LogSyncFailed(ILogger log, Exception exception);
}

using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Server.Watch;

/// <summary>What a stream's requests do: create, cancel, progress; and a stream's end.</summary>
public sealed partial class WatchHub
{
    private readonly HashSet<WatchStream> _openStreams = [];

    /// <summary>etcd's watch create: checks, an id, the created reply, then the watcher in the synced or unsynced group.</summary>
    internal void Create(WatchStream stream, WatchCreateRequest request)
    {
        var range = WatchRange.FromRequest(request.Key, request.RangeEnd);
        lock (_lock)
        {
            if (stream.Closed || _disposed)
            {
                return;
            }

            var current = _store.CurrentRevision;
            var refusal = request.StartRevision < 0 ? EtcdErrors.Compacted.Message
                : range.IsEmpty ? WireStrings.WatcherRangeEmpty
                : request.WatchId != 0 && stream.Watchers.ContainsKey(request.WatchId) ? WireStrings.DuplicateWatchId
                : null;
            if (refusal is not null)
            {
                stream.TryEnqueue(Outgoing.ForReply(new WatchResponse { Header = Header(current), WatchId = -1, Created = true, Canceled = true, CancelReason = refusal }), force: true);
                return;
            }

            var id = request.WatchId;
            if (id == 0)
            {
                // etcd's automatic ids count up from 0, stepping over ids clients chose.
                while (stream.Watchers.ContainsKey(stream.NextWatchId))
                {
                    stream.NextWatchId++;
                }

                id = stream.NextWatchId++;
            }

            var w = new Watcher(stream, id, range, request);
            stream.Watchers.Add(id, w);
            _watcherCount++;
            stream.TryEnqueue(Outgoing.ForReply(new WatchResponse { Header = Header(current), WatchId = id, Created = true }), force: true);

            // etcd: from now (0) or from a revision the store has not reached is synced; a past revision is read from history first.
            var start = request.StartRevision;
            if (start == 0 || start > current)
            {
                w.MinRevision = Math.Max(current + 1, start);
                w.State = WatcherState.Synced;
                _synced.Add(w);
            }
            else
            {
                w.MinRevision = start;
                AddUnsynced(w);
                WakeSync();
            }

            if (w.ProgressNotify && stream.ProgressTimer is null)
            {
                var interval = _options.ProgressNotifyInterval < WatchHubOptions.MinProgressNotifyInterval
                    ? WatchHubOptions.MinProgressNotifyInterval
                    : _options.ProgressNotifyInterval;

                // etcd adds up to a tenth of the interval, so streams opened together do not tick together.
                var period = interval + TimeSpan.FromTicks(_options.Random.NextInt64(Math.Max(1, interval.Ticks / 10)));
                stream.ProgressTimer = _time.CreateTimer(static s => ((WatchStream)s!).OnProgressTimer(), stream, period, period);
            }
        }
    }

    /// <summary>etcd's watch cancel: the watcher goes, its canceled reply follows whatever it was already given. Unknown ids get nothing.</summary>
    internal void Cancel(WatchStream stream, long watchId)
    {
        lock (_lock)
        {
            if (stream.Closed || !stream.Watchers.Remove(watchId, out var w))
            {
                return;
            }

            // A watcher canceled for compaction stays on its stream until the client cancels it, as in etcd.
            Detach(w);
            _watcherCount--;
            stream.TryEnqueue(Outgoing.ForReply(new WatchResponse { Header = Header(_store.CurrentRevision), WatchId = watchId, Canceled = true }), force: true);
            if (stream.ProgressRequested)
            {
                TryAnswerProgress(stream);
            }
        }
    }

    internal void RequestProgress(WatchStream stream)
    {
        lock (_lock)
        {
            if (stream.Closed)
            {
                return;
            }

            if (!stream.ProgressRequested)
            {
                stream.ProgressRequested = true;
                _progressWaiting.Add(stream);
            }

            TryAnswerProgress(stream);
        }
    }

    /// <summary>The progress tick of a stream (timer thread): progress_notify watchers that were given nothing since the last tick hear the revision.</summary>
    internal void ProgressTick(WatchStream stream)
    {
        lock (_lock)
        {
            if (stream.Closed)
            {
                return;
            }

            var revision = _notifiedRevision;
            foreach (var w in stream.Watchers.Values)
            {
                if (!w.ProgressNotify)
                {
                    continue;
                }

                if (w.ProgressDue && IsProgressReady(w, revision))
                {
                    // Dropped when the stream is full: a watcher receiving events needs no progress.
                    stream.TryEnqueue(Outgoing.ForNotice(new WatchResponse { Header = Header(revision), WatchId = w.Id }), force: false);
                }

                w.ProgressDue = true;
            }
        }
    }

    /// <summary>Ends a stream's watchers (its sender drains nothing more).</summary>
    internal void CloseStream(WatchStream stream)
    {
        ITimer? timer;
        lock (_lock)
        {
            if (stream.Closed)
            {
                return;
            }

            stream.Closed = true;
            foreach (var w in stream.Watchers.Values)
            {
                Detach(w);
            }

            _watcherCount -= stream.Watchers.Count;
            stream.Watchers.Clear();
            _progressWaiting.Remove(stream);
            stream.ProgressRequested = false;
            _openStreams.Remove(stream);
            _streamCount--;
            timer = stream.ProgressTimer;
            stream.ProgressTimer = null;
        }

        timer?.Dispose();
    }

    /// <summary>Removes a watcher from its group; it receives nothing more. Its stream may still list it (a compacted one). Under the lock.</summary>
    private void Detach(Watcher w)
    {
        if (w.State == WatcherState.Synced)
        {
            _synced.Remove(w);
        }
        else if (w.State == WatcherState.Unsynced)
        {
            RemoveUnsynced(w);
        }

        w.State = WatcherState.Canceled;
    }

    /// <summary>
    /// A watcher can vouch for <paramref name="revision"/> when it is synced (every event through the
    /// notified revision is queued) and did not ask to start beyond it (etcd's fix for future starts).
    /// </summary>
    private static bool IsProgressReady(Watcher w, long revision) => w.State == WatcherState.Synced && w.StartRevision <= revision;

    /// <summary>Sends a stream's requested progress once every watcher on it can vouch for the notified revision. Under the lock.</summary>
    private bool TryAnswerProgress(WatchStream stream)
    {
        var revision = _notifiedRevision;
        foreach (var w in stream.Watchers.Values)
        {
            // A compacted watcher, listed until the client cancels it, owes nothing more.
            if (w.State != WatcherState.Canceled && !IsProgressReady(w, revision))
            {
                return false;
            }
        }

        // A stream without watchers owes nothing: answered at once, as etcd 3.4 does (3.5 sends nothing).
        stream.TryEnqueue(Outgoing.ForReply(new WatchResponse { Header = Header(revision), WatchId = -1 }), force: true);
        stream.ProgressRequested = false;
        _progressWaiting.Remove(stream);
        return true;
    }

    private void AnswerWaitingProgress()
    {
        List<WatchStream>? waiting = null;
        foreach (var stream in _progressWaiting)
        {
            (waiting ??= []).Add(stream);
        }

        if (waiting is not null)
        {
            foreach (var stream in waiting)
            {
                TryAnswerProgress(stream);
            }
        }
    }
}

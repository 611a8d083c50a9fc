using System.Globalization;
using System.Text;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Client;

namespace Kvasir.Compat.Tests.Differential;

/// <summary>
/// What one watch stream received, by watcher in creation order: created replies, events, cancels
/// and progress. Its reader task is the only writer; operations read under the lock. A periodic
/// progress notice (empty events, the watcher's id) follows that watcher's events on the stream,
/// which is how <see cref="CaughtUp"/> knows a watcher has been given everything up to a revision.
/// </summary>
public sealed class WatchStreamLog(DiffTarget target)
{
    private readonly Lock _lock = new();
    private readonly List<WatchedWatcher> _watchers = [];
    private readonly Dictionary<long, WatchedWatcher> _live = [];
    private readonly Dictionary<long, WatchedWatcher> _compacted = [];
    private readonly List<long> _progressReplies = [];
    private long _expectedStart;

    public int CreatedCount
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    public int ProgressReplyCount
    {
        get
        {
            lock (_lock)
            {
                return _progressReplies.Count;
            }
        }
    }

    /// <summary>The start revision of the create about to be sent (one create at a time per stream).</summary>
    public void Expect(long startRevision)
    {
        lock (_lock)
        {
            _expectedStart = startRevision;
        }
    }

    /// <summary>Reads the stream until it ends; each response is recorded.</summary>
    public async Task ReadAsync(DuplexStreamingCall<WatchRequest, WatchResponse> call)
    {
        try
        {
            while (await call.ResponseStream.MoveNextAsync())
            {
                Add(call.ResponseStream.Current);
            }
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or ObjectDisposedException)
        {
            // The test ended the call.
        }
    }

    /// <summary>The created reply of the watcher at <paramref name="index"/>.</summary>
    public string Created(int index)
    {
        lock (_lock)
        {
            return _watchers[index].Created;
        }
    }

    /// <summary>The header revision of the n-th progress reply (watch id -1).</summary>
    public long ProgressReply(int index)
    {
        lock (_lock)
        {
            return _progressReplies[index];
        }
    }

    /// <summary>True while the server lists the watcher on the stream: live, or canceled for compaction and not yet canceled by the client.</summary>
    public bool IsListed(long id)
    {
        lock (_lock)
        {
            return _live.ContainsKey(id) || _compacted.ContainsKey(id);
        }
    }

    /// <summary>True when every watcher that owes events up to <paramref name="revision"/> has reported progress at or past it.</summary>
    public bool CaughtUp(long revision)
    {
        lock (_lock)
        {
            foreach (var w in _watchers)
            {
                if (!w.Ended && w.Start <= revision && w.Progress < revision)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>True when a live watcher of the stream starts beyond <paramref name="revision"/>.</summary>
    public bool HasFutureWatcher(long revision)
    {
        lock (_lock)
        {
            foreach (var w in _live.Values)
            {
                if (w.Start > revision)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Appends what each watcher received since the last call, and forgets it.</summary>
    public void Drain(StringBuilder into, int stream)
    {
        lock (_lock)
        {
            for (var i = 0; i < _watchers.Count; i++)
            {
                var w = _watchers[i];
                if (w.Lines.Count == 0)
                {
                    continue;
                }

                into.Append("  stream ").Append(stream).Append(" watcher ").Append(i).Append(" (id ").Append(w.Id).Append("):\n");
                foreach (var line in w.Lines)
                {
                    into.Append("    ").Append(line).Append('\n');
                }

                w.Lines.Clear();
            }
        }
    }

    private void Add(WatchResponse r)
    {
        lock (_lock)
        {
            if (r.Created)
            {
                var w = new WatchedWatcher(r.WatchId, _expectedStart, $"created id={r.WatchId} canceled={r.Canceled} reason='{r.CancelReason}' compact={r.CompactRevision} rev={r.Header.Revision}");
                _watchers.Add(w);
                if (r.Canceled)
                {
                    w.Ended = true;
                }
                else
                {
                    _live[r.WatchId] = w;
                }

                return;
            }

            if (r.WatchId == -1 && r.Events.Count == 0)
            {
                _progressReplies.Add(r.Header.Revision);
                return;
            }

            if (!_live.TryGetValue(r.WatchId, out var watcher))
            {
                if (r.Canceled && _compacted.Remove(r.WatchId, out var compacted))
                {
                    compacted.Lines.Add($"canceled after compaction reason='{r.CancelReason}' rev={r.Header.Revision}");
                }
                else
                {
                    // Nothing else may come for a watcher the stream does not list.
                    _watchers.Add(new WatchedWatcher(r.WatchId, 0, "unexpected: " + r) { Ended = true });
                }

                return;
            }

            if (r.Canceled)
            {
                watcher.Ended = true;
                watcher.Lines.Add($"canceled compact={r.CompactRevision} reason='{r.CancelReason}' rev={r.Header.Revision}");
                _live.Remove(r.WatchId);
                if (r.CompactRevision != 0)
                {
                    _compacted[r.WatchId] = watcher;
                }

                return;
            }

            if (r.Events.Count == 0)
            {
                watcher.Progress = Math.Max(watcher.Progress, r.Header.Revision);
                return;
            }

            foreach (var e in r.Events)
            {
                watcher.Lines.Add($"{e.Type} {Kv(e.Kv)}{(e.PrevKv is null ? "" : " prev " + Kv(e.PrevKv))}");
            }
        }
    }

    private string Kv(Api.Mvccpb.KeyValue kv) => string.Create(
        CultureInfo.InvariantCulture,
        $"{kv.Key.ToStringUtf8()}={kv.Value.ToStringUtf8()} c{kv.CreateRevision} m{kv.ModRevision} v{kv.Version} lease {target.LeaseName(kv.Lease)}");

    private sealed class WatchedWatcher(long id, long start, string created)
    {
        public long Id { get; } = id;

        /// <summary>The start revision asked for: a watcher starting beyond a revision owes nothing through it.</summary>
        public long Start { get; } = start;

        public string Created { get; } = created;

        public List<string> Lines { get; } = [];

        public bool Ended { get; set; }

        public long Progress { get; set; }
    }
}

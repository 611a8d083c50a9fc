using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Server.Watch;

/// <summary>
/// The hub's side of one Watch gRPC stream: the watchers created on it, and one bounded queue of
/// what it is to send, in the order it must be sent (a watcher's created reply before its events,
/// its events in revision order, its canceled reply last).
/// <para>
/// Two parties use it. The request loop calls <see cref="Create"/>, <see cref="Cancel"/> and
/// <see cref="RequestProgress"/> (one call at a time, as etcd's receive loop does) and may wait in
/// <see cref="WaitForControlRoomAsync"/> while too many replies are unsent. The one sender waits in
/// <see cref="WaitToReadAsync"/> and takes everything queued with <see cref="Read(List{WatchFrame})"/>. The hub
/// (Notify on the applier's thread, the sync worker, timers) only queues, never waits.
/// </para>
/// </summary>
public sealed partial class WatchStream : IDisposable
{
    private readonly WatchHub _hub;
    private readonly Lock _queueLock = new();
    private readonly Queue<Outgoing> _queue = new();
    private readonly List<Outgoing> _taking = [];
    private readonly int _capacity;
    private readonly int _controlBacklog;
    private int _pendingEvents;
    private int _pendingReplies;
    private bool _closed;
    private TaskCompletionSource? _readWaiter;
    private TaskCompletionSource? _controlWaiter;

    internal WatchStream(WatchHub hub, int capacity, int controlBacklog)
    {
        _hub = hub;
        _capacity = capacity;
        _controlBacklog = controlBacklog;
    }

    // Guarded by the hub's lock.
    internal Dictionary<long, Watcher> Watchers { get; } = [];

    internal long NextWatchId { get; set; }

    /// <summary>A RequestProgress waits for every watcher of the stream to be synced.</summary>
    internal bool ProgressRequested { get; set; }

    internal ITimer? ProgressTimer { get; set; }

    internal bool Closed { get; set; }

    /// <summary>Events queued and not yet taken by the sender (read without the lock for room checks).</summary>
    internal int PendingEvents => Volatile.Read(ref _pendingEvents);

    /// <summary>True when a sync round may add to this stream: it is less than half full.</summary>
    internal bool HasRoom => PendingEvents <= _capacity / 2;

    /// <summary>Creates a watcher, or refuses it with etcd's created-and-canceled reply; either way one reply is queued.</summary>
    public void Create(WatchCreateRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _hub.Create(this, request);
    }

    /// <summary>Cancels a watcher of this stream, queueing its canceled reply; an unknown id is ignored, as etcd does.</summary>
    public void Cancel(long watchId) => _hub.Cancel(this, watchId);

    /// <summary>
    /// Asks for the progress of every watcher on the stream: one reply with watch id -1 and the
    /// revision every watcher has been given all events through, sent once all of them are synced.
    /// Nothing is sent for a stream without watchers.
    /// </summary>
    public void RequestProgress() => _hub.RequestProgress(this);

    /// <summary>
    /// Acts on one request of the client's stream (create, cancel or progress); false for a kind it
    /// does not know, which etcd ignores rather than end the stream.
    /// </summary>
    public bool Handle(WatchRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        switch (request.RequestUnionCase)
        {
            case WatchRequest.RequestUnionOneofCase.CreateRequest:
                Create(request.CreateRequest);
                return true;
            case WatchRequest.RequestUnionOneofCase.CancelRequest:
                Cancel(request.CancelRequest.WatchId);
                return true;
            case WatchRequest.RequestUnionOneofCase.ProgressRequest:
                RequestProgress();
                return true;
            default:
                return false;
        }
    }

    /// <summary>Waits until something is queued (true) or the stream is closed (false).</summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource waiter;
            lock (_queueLock)
            {
                if (_queue.Count > 0)
                {
                    return true;
                }

                if (_closed)
                {
                    return false;
                }

                waiter = _readWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Takes everything queued and appends it to <paramref name="frames"/>, in order: prev_kv looked
    /// up for watchers that asked, large responses fragmented for watchers created with
    /// fragment=true. Returns the number of events taken. One caller at a time (the sender).
    /// </summary>
    public int Read(List<WatchFrame> frames) => Read(frames, coalesce: false);

    /// <summary>
    /// As <see cref="Read(List{WatchFrame})"/>; with <paramref name="coalesce"/>, when the sender
    /// takes a backlog of at least <c>CoalesceBacklog</c> items, the events a watcher has queued
    /// between two replies go out as one response per watcher (see <c>ToFramesCoalesced</c>) —
    /// what the service's sender does, so a backlog costs the client one response per watcher
    /// rather than one per revision, while a sender that keeps up sends one per revision as etcd does.
    /// </summary>
    public int Read(List<WatchFrame> frames, bool coalesce)
    {
        ArgumentNullException.ThrowIfNull(frames);
        int events;
        var replies = 0;
        TaskCompletionSource? controlWaiter = null;
        lock (_queueLock)
        {
            while (_queue.TryDequeue(out var item))
            {
                _taking.Add(item);
                if (item.IsReply)
                {
                    replies++;
                }
            }

            events = _pendingEvents;
            Volatile.Write(ref _pendingEvents, 0);
            _pendingReplies -= replies;
            if (_controlWaiter is not null && _pendingReplies < _controlBacklog)
            {
                controlWaiter = _controlWaiter;
                _controlWaiter = null;
            }
        }

        controlWaiter?.TrySetResult();
        _hub.Taken(events);

        try
        {
            if (coalesce && _taking.Count >= CoalesceBacklog)
            {
                ToFramesCoalesced(frames);
            }
            else
            {
                foreach (var item in _taking)
                {
                    ToFrames(item, frames);
                }
            }
        }
        finally
        {
            _taking.Clear();
        }

        return events;
    }

    /// <summary>Waits while more replies than the control backlog are unsent, so a client that never reads cannot grow the queue.</summary>
    public ValueTask WaitForControlRoomAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_queueLock)
        {
            if (_pendingReplies < _controlBacklog || _closed)
            {
                return default;
            }

            waiter = _controlWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return new ValueTask(waiter.Task.WaitAsync(cancellationToken));
    }

    /// <summary>Cancels every watcher of the stream and ends it: <see cref="WaitToReadAsync"/> returns false once drained.</summary>
    public void Dispose()
    {
        _hub.CloseStream(this);
        TaskCompletionSource? reader;
        TaskCompletionSource? control;
        int dropped;
        lock (_queueLock)
        {
            if (_closed)
            {
                return;
            }

            _closed = true;
            dropped = _pendingEvents;
            Volatile.Write(ref _pendingEvents, 0);
            _queue.Clear();
            reader = _readWaiter;
            control = _controlWaiter;
            _readWaiter = null;
            _controlWaiter = null;
        }

        _hub.Taken(dropped, countSent: false);
        reader?.TrySetResult();
        control?.TrySetResult();
    }

    /// <summary>
    /// Queues an item and returns how many events it queued; -1 when <paramref name="force"/> is
    /// not set and the stream already holds <c>StreamCapacity</c> events (the caller parks the
    /// watcher). A closed stream drops everything (0). Never waits: the caller may hold the hub's
    /// lock (lock order: hub, then queue). The caller adds the events to the hub's pending count
    /// (once for many streams).
    /// </summary>
    internal int TryEnqueue(in Outgoing item, bool force)
    {
        TaskCompletionSource? reader;
        var count = item.Count;
        lock (_queueLock)
        {
            if (_closed)
            {
                return 0;
            }

            if (!force && _pendingEvents >= _capacity)
            {
                return -1;
            }

            _queue.Enqueue(item);
            Volatile.Write(ref _pendingEvents, _pendingEvents + count);
            if (item.IsReply)
            {
                _pendingReplies++;
            }

            reader = _readWaiter;
            _readWaiter = null;
        }

        reader?.TrySetResult();
        return count;
    }

    internal void OnProgressTimer() => _hub.ProgressTick(this);
}

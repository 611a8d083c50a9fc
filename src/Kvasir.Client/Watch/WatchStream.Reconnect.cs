using Kvasir.Api.Errors;
using Kvasir.Grpc;

namespace Kvasir.Client.Internal;

/// <summary>The watch loop when the stream ends: resume every watch on a new stream, or end them all with the error.</summary>
internal sealed partial class WatchStream
{
    private async ValueTask OnBrokenAsync(Exception? error)
    {
        if (_call is null)
        {
            return;
        }

        RequeueAll(first: _inFlight);
        CloseCall();
        if (Halts(error) is { } halt)
        {
            FailAll(halt);
            return;
        }

        if (error is RpcException rpc && _invoker.Core.ShouldRefreshToken(rpc.Status.Detail))
        {
            try
            {
                await _invoker.Core.RefreshTokenAsync(_tokenGeneration, _stop.Token).ConfigureAwait(false);
            }
            catch (EtcdException e)
            {
                FailAll(e);
                return;
            }
        }

        ScheduleReconnect();
    }

    /// <summary>Reopens the stream at once with a fresh token, <paramref name="first"/> created first.</summary>
    private async ValueTask RefreshAndReopenAsync(Watcher first)
    {
        var stale = _tokenGeneration;
        RequeueAll(first);
        CloseCall();
        try
        {
            await _invoker.Core.RefreshTokenAsync(stale, _stop.Token).ConfigureAwait(false);
        }
        catch (EtcdException e)
        {
            FailAll(e);
            return;
        }

        await PumpAsync().ConfigureAwait(false);
    }

    /// <summary>Moves every live watch back to the create queue (<paramref name="first"/> at its head, then the
    /// registered ones in the order they were created, then those not yet sent), to be created again from
    /// the revision after the last one each delivered.</summary>
    private void RequeueAll(Watcher? first)
    {
        var resume = new Queue<Watcher>();
        if (first is { IsClosed: false })
        {
            resume.Enqueue(first);
        }

        var registered = new List<KeyValuePair<long, Watcher>>(_active);
        registered.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        foreach (var (_, watcher) in registered)
        {
            watcher.Id = null;
            if (!watcher.IsClosed && !ReferenceEquals(watcher, first))
            {
                resume.Enqueue(watcher);
            }
        }

        foreach (var watcher in _pending)
        {
            if (!watcher.IsClosed && !ReferenceEquals(watcher, first))
            {
                resume.Enqueue(watcher);
            }
        }

        _active.Clear();
        _inFlight = null;
        _pending = resume;
    }

    private void ScheduleReconnect()
    {
        if (_pending.Count == 0 || _reconnectScheduled)
        {
            return;
        }

        _reconnectScheduled = true;
        _ = ReconnectAfterAsync(_backoff.Next(), _generation);
    }

    private async Task ReconnectAfterAsync(TimeSpan delay, int generation)
    {
        try
        {
            await Task.Delay(delay, Time, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await PostFromStreamAsync(new WatchStreamItem(WatchStreamItemKind.Reconnect, generation)).ConfigureAwait(false);
    }

    /// <summary>
    /// The error that ends every watch, or null when the stream should be resumed. Like etcd's clients, a
    /// watch survives what the cluster recovers from (UNAVAILABLE: a member down, a leader change; INTERNAL
    /// and broken connections) and ends on what it does not (permission, bad requests), and on
    /// <c>no leader</c> when the view requires a leader.
    /// </summary>
    private Exception? Halts(Exception? error)
    {
        if (error is not RpcException rpc)
        {
            return null;
        }

        var known = EtcdErrors.FromMessage(rpc.Status.Detail);
        if (ReferenceEquals(known, EtcdErrors.NoLeader) && _invoker.RequireLeader)
        {
            return EtcdException.From(rpc);
        }

        if (_invoker.Core.ShouldRefreshToken(rpc.Status.Detail))
        {
            return null;
        }

        return rpc.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown or StatusCode.Cancelled
            ? null
            : EtcdException.From(rpc);
    }
}

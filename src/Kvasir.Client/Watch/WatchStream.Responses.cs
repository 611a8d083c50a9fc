using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;

namespace Kvasir.Client.Internal;

/// <summary>The watch loop's answers to the server: creates matched in order, events routed by watch id, cancels.</summary>
internal sealed partial class WatchStream
{
    /// <summary>The id etcd puts on the answer to a progress request: it concerns every watch of the stream.</summary>
    private const long BroadcastWatchId = -1;

    private async ValueTask OnResponseAsync(WatchResponse response)
    {
        if (response.Created)
        {
            await OnCreatedAsync(response).ConfigureAwait(false);
            return;
        }

        if (response.WatchId == BroadcastWatchId)
        {
            if (response.IsProgressNotify())
            {
                foreach (var watcher in _active.Values)
                {
                    watcher.Advance(response);
                    await watcher.DeliverAsync(response).ConfigureAwait(false);
                }
            }

            return;
        }

        if (!_active.TryGetValue(response.WatchId, out var target))
        {
            // A watch this client no longer knows (cancelled while events were on their way): cancel it once.
            if (!response.Canceled && _cancelSent.Add(response.WatchId))
            {
                await SendAsync(CancelRequest(response.WatchId)).ConfigureAwait(false);
            }

            return;
        }

        if (response.Fragment)
        {
            if (_fragments.TryGetValue(response.WatchId, out var partial))
            {
                partial.Events.AddRange(response.Events);
            }
            else
            {
                _fragments[response.WatchId] = response;
            }

            return;
        }

        if (_fragments.Remove(response.WatchId, out var joined))
        {
            joined.Events.AddRange(response.Events);
            joined.Fragment = false;
            joined.Header = response.Header;
            response = joined;
        }

        if (response.Canceled || response.CompactRevision != 0)
        {
            _active.Remove(response.WatchId);
            target.Id = null;
            target.Finish(ErrorOf(response));
            return;
        }

        target.Advance(response);
        await target.DeliverAsync(response).ConfigureAwait(false);
    }

    /// <summary>The answer to the create in flight: the watch is registered, or refused (compacted, permission, stale token).</summary>
    private async ValueTask OnCreatedAsync(WatchResponse response)
    {
        var watcher = _inFlight;
        _inFlight = null;
        if (watcher is null)
        {
            if (!response.Canceled && _cancelSent.Add(response.WatchId))
            {
                await SendAsync(CancelRequest(response.WatchId)).ConfigureAwait(false);
            }
        }
        else if (response.Canceled || response.CompactRevision != 0)
        {
            if (_invoker.Core.ShouldRefreshToken(CancelReason.Parse(response.CancelReason).Message) && watcher.AuthRetries++ < 2 && !watcher.IsClosed)
            {
                // The stream's token is stale: reopen it with a fresh one, this watch first.
                await RefreshAndReopenAsync(watcher).ConfigureAwait(false);
                return;
            }

            watcher.Finish(ErrorOf(response));
        }
        else if (watcher.IsClosed)
        {
            _cancelSent.Add(response.WatchId);
            await SendAsync(CancelRequest(response.WatchId)).ConfigureAwait(false);
        }
        else
        {
            _backoff.Reset();
            watcher.Created(response);
            _active[response.WatchId] = watcher;
            if (watcher.CreatedNotify && !watcher.CreatedSeen)
            {
                watcher.CreatedSeen = true;
                await watcher.DeliverAsync(response).ConfigureAwait(false);
            }
        }

        await SendNextCreateAsync().ConfigureAwait(false);
    }

    private async ValueTask SendNextCreateAsync()
    {
        if (_call is null || _inFlight is not null)
        {
            return;
        }

        DropClosedPending();
        if (_pending.TryDequeue(out var next))
        {
            _inFlight = next;
            await SendAsync(next.CreateRequest()).ConfigureAwait(false);
        }
        else if (_active.Count == 0)
        {
            // Nothing left to watch: end the stream rather than keep an idle one open on the server.
            CloseCall();
        }
    }

    private async ValueTask RemoveWatcherAsync(Watcher watcher)
    {
        if (watcher.Id is { } id && _active.Remove(id))
        {
            watcher.Id = null;
            _fragments.Remove(id);
            if (_call is not null && _cancelSent.Add(id))
            {
                await SendAsync(CancelRequest(id)).ConfigureAwait(false);
            }
        }

        if (_call is not null && _inFlight is null && _active.Count == 0)
        {
            DropClosedPending();
            if (_pending.Count == 0)
            {
                CloseCall();
            }
        }
    }

    /// <summary>Writes a request; a write that fails means the stream is broken, which its reader reports too.</summary>
    private async ValueTask SendAsync(WatchRequest request)
    {
        if (_call is not { } call)
        {
            return;
        }

        try
        {
            await call.RequestStream.WriteAsync(request, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or InvalidOperationException)
        {
            await OnBrokenAsync(e).ConfigureAwait(false);
        }
    }

    private static WatchRequest CancelRequest(long id) => new() { CancelRequest = new WatchCancelRequest { WatchId = id } };

    /// <summary>What a canceled watch's reader sees: compaction, or the server's reason mapped to etcd's error, or a plain end.</summary>
    private static Exception? ErrorOf(WatchResponse response)
    {
        if (response.CompactRevision != 0)
        {
            return new EtcdCompactedException(response.CompactRevision, $"{EtcdErrors.Compacted.Message} (compact revision {response.CompactRevision})");
        }

        return string.IsNullOrEmpty(response.CancelReason) ? null : CancelReason.ToException(response.CancelReason);
    }
}

using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Client;

namespace Kvasir.Client.Internal;

/// <summary>
/// Keeps every lease of one client view alive over one LeaseKeepAlive stream, as etcd's clients do.
/// Each lease is renewed when a third of its last granted TTL has passed (at once when first added),
/// re-sent every <see cref="Tick"/> until answered. An answer with TTL 0 means the lease is gone; no
/// answer before the lease's deadline (its TTL after the last answer, or the first keep-alive
/// timeout) means it must be presumed gone. Either ends every handle of the lease. A broken stream is
/// reopened with back-off, on the next endpoint if need be; deadlines keep running meanwhile.
/// State is under <see cref="_gate"/>, held only for bookkeeping: no awaits and no callbacks inside.
/// </summary>
internal sealed class KeepAliveLoop : IAsyncDisposable
{
    /// <summary>How often due renewals are sent and deadlines checked (etcd's clients use the same 500 ms).</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);

    private readonly CallInvoker _invoker;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, LeaseState> _leases = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Backoff _backoff;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private DuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse>? _call;
    private DateTimeOffset _reopenAt;

    public KeepAliveLoop(CallInvoker invoker)
    {
        _invoker = invoker;
        _backoff = new Backoff(invoker.Core.Options.Random);
    }

    private TimeProvider Time => _invoker.Core.Time;

    public LeaseKeepAlive Add(long leaseId)
    {
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, typeof(EtcdClient));
        var handle = new LeaseKeepAlive(this, leaseId);
        var now = Time.GetUtcNow();
        lock (_gate)
        {
            if (!_leases.TryGetValue(leaseId, out var state))
            {
                state = new LeaseState(leaseId) { NextKeepAlive = now, Deadline = now + _invoker.Core.Options.FirstKeepAliveTimeout };
                _leases[leaseId] = state;
            }

            state.Handles.Add(handle);
            _loop ??= Task.Run(RunAsync);
        }

        Volatile.Read(ref _wake).TrySetResult();
        return handle;
    }

    public void Remove(LeaseKeepAlive handle)
    {
        lock (_gate)
        {
            if (_leases.TryGetValue(handle.LeaseId, out var state) && state.Handles.Remove(handle) && state.Handles.Count == 0)
            {
                _leases.Remove(handle.LeaseId);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        foreach (var handle in TakeAll())
        {
            handle.End(KeepAliveEndReason.ClientDisposed);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                // Read the wake-up before the tick: a lease added during the tick wakes the wait that follows.
                var wake = Volatile.Read(ref _wake);
                await TickAsync().ConfigureAwait(false);
                await Task.WhenAny(Task.Delay(Tick, Time, _stop.Token), wake.Task).ConfigureAwait(false);
                if (wake.Task.IsCompleted)
                {
                    Interlocked.CompareExchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), wake);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            CloseCall();
        }
    }

    /// <summary>Ends leases past their deadline, opens the stream when leases need it (after any back-off), sends due renewals.</summary>
    private async ValueTask TickAsync()
    {
        var now = Time.GetUtcNow();
        List<LeaseKeepAlive>? expired = null;
        List<long>? due = null;
        lock (_gate)
        {
            List<long>? gone = null;
            foreach (var state in _leases.Values)
            {
                if (state.Deadline <= now)
                {
                    (gone ??= []).Add(state.Id);
                    (expired ??= []).AddRange(state.Handles);
                }
                else if (state.NextKeepAlive <= now)
                {
                    (due ??= []).Add(state.Id);
                }
            }

            if (gone is not null)
            {
                foreach (var id in gone)
                {
                    _leases.Remove(id);
                }
            }
        }

        if (expired is not null)
        {
            foreach (var handle in expired)
            {
                handle.End(KeepAliveEndReason.DeadlinePassed);
            }
        }

        if (IsIdle())
        {
            CloseCall();
            return;
        }

        if (_call is null)
        {
            lock (_gate)
            {
                if (now < _reopenAt)
                {
                    return;
                }
            }

            Open();
        }

        if (due is null || _call is not { } call)
        {
            return;
        }

        foreach (var id in due)
        {
            try
            {
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id }, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is RpcException or InvalidOperationException)
            {
                Broken(call);
                return;
            }
        }
    }

    private bool IsIdle()
    {
        lock (_gate)
        {
            return _leases.Count == 0;
        }
    }

    private void Open()
    {
        var call = _invoker.Core.Channel.DuplexStreaming(EtcdMethods.LeaseKeepAlive, _invoker.StreamOptions(_stop.Token));
        _call = call;
        _ = ReadAsync(call);
    }

    private void CloseCall()
    {
        var call = Interlocked.Exchange(ref _call, null);
        call?.Dispose();
    }

    /// <summary>Forgets a broken stream and lets the next one open after a back-off.</summary>
    private void Broken(DuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> call)
    {
        if (Interlocked.CompareExchange(ref _call, null, call) == call)
        {
            call.Dispose();
            lock (_gate)
            {
                _reopenAt = Time.GetUtcNow() + _backoff.Next();
            }
        }
    }

    private async Task ReadAsync(DuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> call)
    {
        var generation = _invoker.Core.TokenGeneration;
        try
        {
            while (await call.ResponseStream.MoveNextAsync(_stop.Token).ConfigureAwait(false))
            {
                OnResponse(call.ResponseStream.Current);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            // Reopened with back-off by the next tick; a stale token is refreshed first.
            if (e is RpcException rpc && _invoker.Core.ShouldRefreshToken(rpc.Status.Detail))
            {
                try
                {
                    await _invoker.Core.RefreshTokenAsync(generation, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception refresh) when (refresh is EtcdException or OperationCanceledException)
                {
                }
            }
        }

        Broken(call);
    }

    private void OnResponse(LeaseKeepAliveResponse response)
    {
        var now = Time.GetUtcNow();
        LeaseKeepAlive[] handles;
        var lost = response.TTL <= 0;
        lock (_gate)
        {
            if (!_leases.TryGetValue(response.ID, out var state))
            {
                return;
            }

            handles = [.. state.Handles];
            if (lost)
            {
                _leases.Remove(response.ID);
            }
            else
            {
                state.NextKeepAlive = now + TimeSpan.FromSeconds(response.TTL / 3.0);
                state.Deadline = now + TimeSpan.FromSeconds(response.TTL);
            }
        }

        lock (_gate)
        {
            _backoff.Reset();
        }

        foreach (var handle in handles)
        {
            if (lost)
            {
                handle.End(KeepAliveEndReason.LeaseNotFound);
            }
            else
            {
                handle.Deliver(response);
            }
        }
    }

    private List<LeaseKeepAlive> TakeAll()
    {
        var all = new List<LeaseKeepAlive>();
        lock (_gate)
        {
            foreach (var state in _leases.Values)
            {
                all.AddRange(state.Handles);
            }

            _leases.Clear();
        }

        return all;
    }

    private sealed class LeaseState(long id)
    {
        public long Id { get; } = id;

        public List<LeaseKeepAlive> Handles { get; } = [];

        public DateTimeOffset NextKeepAlive { get; set; }

        public DateTimeOffset Deadline { get; set; }
    }
}

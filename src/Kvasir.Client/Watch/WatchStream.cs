using System.Threading.Channels;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;

namespace Kvasir.Client.Internal;

/// <summary>
/// All the watches of one client view, multiplexed on one gRPC Watch stream, as etcd's clients do.
/// One loop owns every piece of state and handles one item at a time: watches added and removed by
/// readers, responses and breaks reported by the stream's reader task, reconnect timers. Creates are
/// sent one at a time, and the server's "created" answer is matched to the oldest one in flight,
/// which is the order etcd answers in. When the stream breaks, every watch is created again from the
/// revision after the last one it delivered, so a reader sees each revision exactly once across
/// reconnects. The stream is closed when no watch is left and opened again on demand.
/// </summary>
internal sealed partial class WatchStream : IAsyncDisposable
{
    private const int QueueCapacity = 1024;

    private readonly CallInvoker _invoker;
    private readonly Channel<WatchStreamItem> _items;
    private readonly CancellationTokenSource _stop = new();
    private readonly Backoff _backoff;
    private readonly Task _loop;

    // Owned by the loop.
    private readonly Dictionary<long, Watcher> _active = [];
    private readonly Dictionary<long, WatchResponse> _fragments = [];
    private readonly HashSet<long> _cancelSent = [];
    private Queue<Watcher> _pending = new();
    private Watcher? _inFlight;
    private DuplexStreamingCall<WatchRequest, WatchResponse>? _call;
    private int _generation;
    private bool _reconnectScheduled;
    private long _tokenGeneration;

    public WatchStream(CallInvoker invoker)
    {
        _invoker = invoker;
        _backoff = new Backoff(invoker.Core.Options.Random);
        _items = Channel.CreateBounded<WatchStreamItem>(new BoundedChannelOptions(QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(RunAsync);
    }

    private TimeProvider Time => _invoker.Core.Time;

    /// <summary>Registers a watch; its responses start flowing into its buffer once the server created it.</summary>
    public ValueTask AddAsync(Watcher watcher, CancellationToken cancellationToken) =>
        PostAsync(new WatchStreamItem(WatchStreamItemKind.Add, Watcher: watcher), cancellationToken);

    /// <summary>Lets go of a watch: delivery to it stops at once, and the server is told to cancel it.</summary>
    public async ValueTask RemoveAsync(Watcher watcher)
    {
        watcher.Close();
        try
        {
            await PostAsync(new WatchStreamItem(WatchStreamItemKind.Remove, Watcher: watcher), CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The client is gone, and the stream with it.
        }
    }

    /// <summary>Asks the server for a progress notification for every watch on the stream (etcd 3.4+).
    /// Completes once the request is sent; nothing is sent while no stream is open.</summary>
    public async Task RequestProgressAsync(CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await PostAsync(new WatchStreamItem(WatchStreamItemKind.Progress, Done: done), cancellationToken).ConfigureAwait(false);
        await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        _stop.Cancel();
        _items.Writer.TryComplete();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async ValueTask PostAsync(WatchStreamItem item, CancellationToken cancellationToken)
    {
        try
        {
            await _items.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(EtcdClient), "the client was disposed");
        }
    }

    /// <summary>Posts from the stream's own tasks; after disposal there is no one left to tell.</summary>
    private async Task PostFromStreamAsync(WatchStreamItem item)
    {
        try
        {
            await _items.Writer.WriteAsync(item, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        catch (ChannelClosedException)
        {
        }
    }

    private async Task RunAsync()
    {
        var reader = _items.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    try
                    {
                        await HandleAsync(item).ConfigureAwait(false);
                    }
                    catch (Exception e) when (!_stop.IsCancellationRequested)
                    {
                        // A fault of the loop itself: end every watch with it rather than leave readers waiting forever.
                        CloseCall();
                        item.Watcher?.Finish(e);
                        item.Done?.TrySetException(e);
                        FailAll(new EtcdException(Grpc.StatusCode.Internal, "the watch stream failed: " + e.Message, null, e));
                    }
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            CloseCall();
            FailAll(new ObjectDisposedException(nameof(EtcdClient), "the client was disposed while the watch was open"));
            while (reader.TryRead(out var item))
            {
                item.Watcher?.Finish(new ObjectDisposedException(nameof(EtcdClient), "the client was disposed while the watch was open"));
                item.Done?.TrySetResult();
            }
        }
    }

    private async ValueTask HandleAsync(WatchStreamItem item)
    {
        switch (item.Kind)
        {
            case WatchStreamItemKind.Add:
                if (!item.Watcher!.IsClosed)
                {
                    _pending.Enqueue(item.Watcher);
                    await PumpAsync().ConfigureAwait(false);
                }

                break;
            case WatchStreamItemKind.Remove:
                await RemoveWatcherAsync(item.Watcher!).ConfigureAwait(false);
                break;
            case WatchStreamItemKind.Progress:
                if (_call is not null)
                {
                    await SendAsync(new WatchRequest { ProgressRequest = new WatchProgressRequest() }).ConfigureAwait(false);
                }

                item.Done!.TrySetResult();
                break;
            case WatchStreamItemKind.Response when item.Generation == _generation && _call is not null:
                await OnResponseAsync(item.Response!).ConfigureAwait(false);
                break;
            case WatchStreamItemKind.Broken when item.Generation == _generation && _call is not null:
                await OnBrokenAsync(item.Error).ConfigureAwait(false);
                break;
            case WatchStreamItemKind.Reconnect when item.Generation == _generation:
                _reconnectScheduled = false;
                await PumpAsync().ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Opens the stream when watches wait and none is open (and no back-off runs), then sends the next create.</summary>
    private async ValueTask PumpAsync()
    {
        DropClosedPending();
        if (_call is null)
        {
            if (_pending.Count == 0 || _reconnectScheduled)
            {
                return;
            }

            Open();
        }

        await SendNextCreateAsync().ConfigureAwait(false);
    }

    private void Open()
    {
        _generation++;
        _tokenGeneration = _invoker.Core.TokenGeneration;
        _cancelSent.Clear();
        _fragments.Clear();
        var call = _invoker.Core.Channel.DuplexStreaming(EtcdMethods.Watch, _invoker.StreamOptions(_stop.Token));
        _call = call;
        _ = ReadAsync(call, _generation);
    }

    /// <summary>Relays the stream's responses to the loop until it ends; the loop decides what a break means.</summary>
    private async Task ReadAsync(DuplexStreamingCall<WatchRequest, WatchResponse> call, int generation)
    {
        Exception? error = null;
        try
        {
            while (await call.ResponseStream.MoveNextAsync(_stop.Token).ConfigureAwait(false))
            {
                await _items.Writer.WriteAsync(new WatchStreamItem(WatchStreamItemKind.Response, generation, Response: call.ResponseStream.Current), _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return;
        }
        catch (ChannelClosedException)
        {
            return;
        }
        catch (Exception e)
        {
            error = e;
        }

        await PostFromStreamAsync(new WatchStreamItem(WatchStreamItemKind.Broken, generation, Error: error)).ConfigureAwait(false);
    }

    private void CloseCall()
    {
        if (_call is { } call)
        {
            _call = null;
            _generation++;
            _inFlight = null;
            call.Dispose();
        }
    }

    private void DropClosedPending()
    {
        while (_pending.TryPeek(out var head) && head.IsClosed)
        {
            _pending.Dequeue();
        }
    }

    private void FailAll(Exception error)
    {
        _inFlight?.Finish(error);
        _inFlight = null;
        foreach (var watcher in _active.Values)
        {
            watcher.Finish(error);
        }

        foreach (var watcher in _pending)
        {
            watcher.Finish(error);
        }

        _active.Clear();
        _pending.Clear();
    }
}

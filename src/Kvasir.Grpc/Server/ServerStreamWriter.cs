using System.IO.Pipelines;
using System.Threading.Channels;
using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Server;

/// <summary>
/// The response stream of a server- or bidi-streaming call. Safe to call from several tasks at
/// once: messages go into a bounded queue, and one writer loop per stream (the only code that
/// touches the response body) frames them and flushes once per batch of queued messages.
/// A message is owned by the stream from the moment it is queued: do not change it afterwards.
/// Messages queued from one task are sent in the order queued.
/// </summary>
public sealed class ServerStreamWriter<T>
{
    /// <summary>Flush at least this often within a long batch, so a burst does not sit in memory.</summary>
    private const int FlushThreshold = 64 * 1024;

    private readonly Channel<Outgoing> _queue;
    private readonly PipeWriter _body;
    private readonly Marshaller<T> _marshaller;
    private readonly ServerCallContext _context;
    private readonly IGrpcServerObserver? _observer;
    private readonly Task _loop;

    internal ServerStreamWriter(ServerCallContext context, Marshaller<T> marshaller, GrpcServerOptions options)
    {
        _context = context;
        _body = context.HttpContext.Response.BodyWriter;
        _marshaller = marshaller;
        _observer = options.Observer;
        _queue = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(options.ResponseStreamCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
            AllowSynchronousContinuations = false,
        });
        context.HeaderFlusher = RequestHeaders;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>True once the stream takes no more messages (the call ended or the client went away).</summary>
    public bool IsCompleted => _loop.IsCompleted || _queue.Reader.Completion.IsCompleted;

    /// <summary>Queues a message without waiting: false when the queue is full or the stream has ended
    /// (a watch hub parks such a watcher and retries with <see cref="WriteAsync"/> from its own task).</summary>
    public bool TryWrite(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _queue.Writer.TryWrite(new Outgoing(message, headersOnly: false));
    }

    /// <summary>Queues a message, waiting while the queue is full. Completes when queued, not when sent.
    /// Throws <see cref="OperationCanceledException"/> when the call is cancelled and
    /// <see cref="InvalidOperationException"/> when the call has already ended.</summary>
    public ValueTask WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _queue.Writer.TryWrite(new Outgoing(message, headersOnly: false)) ? default : WriteSlowAsync(new Outgoing(message, headersOnly: false), cancellationToken);
    }

    /// <summary>Ends the stream: no more messages are taken; completes when every queued message is flushed
    /// (or the client is gone). Called by the pipeline when the handler returns.</summary>
    internal async Task CompleteAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private ValueTask RequestHeaders() => WriteSlowAsync(new Outgoing(default!, headersOnly: true), CancellationToken.None);

    private async ValueTask WriteSlowAsync(Outgoing item, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            _context.CancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"the response stream of {_context.Method} is closed: the call has ended");
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var token = _context.CancellationToken;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                var pending = 0;
                var messages = 0;
                while (reader.TryRead(out var item))
                {
                    if (item.HeadersOnly)
                    {
                        continue;
                    }

                    pending += Frames.Write(_body, _marshaller, item.Message);
                    messages++;
                    _context.BodyWritten = true;
                    if (pending >= FlushThreshold)
                    {
                        pending = 0;
                        if (!await FlushAsync(messages, token).ConfigureAwait(false))
                        {
                            return;
                        }

                        messages = 0;
                    }
                }

                // Once per batch; with nothing written this sends the headers alone.
                if (!await FlushAsync(messages, token).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The call was cancelled or timed out: the pipeline answers with the status.
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The connection is gone; nothing more can be sent.
        }
        finally
        {
            _queue.Writer.TryComplete();
            while (reader.TryRead(out _))
            {
                // Drop what can no longer be sent, so the queue holds no references.
            }
        }
    }

    private async ValueTask<bool> FlushAsync(int messages, CancellationToken token)
    {
        var result = await _body.FlushAsync(token).ConfigureAwait(false);
        if (messages > 0 && !result.IsCanceled)
        {
            _observer?.StreamMessagesSent(_context.Method, messages);
        }

        return !result.IsCanceled && !result.IsCompleted;
    }

    private readonly struct Outgoing(T message, bool headersOnly)
    {
        public T Message { get; } = message;

        public bool HeadersOnly { get; } = headersOnly;
    }
}

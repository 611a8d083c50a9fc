using System.Threading.Channels;

namespace Kvasir.Grpc.Client;

/// <summary>
/// The request side of a client- or bidi-streaming call. Safe to call from several tasks: messages
/// go into a bounded queue that the HTTP stack drains. A message is the stream's once written: do
/// not change it afterwards.
/// </summary>
public sealed class ClientRequestStream<T>
{
    private readonly Channel<T> _queue;

    internal ClientRequestStream(int capacity)
    {
        _queue = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    internal ChannelReader<T> Reader => _queue.Reader;

    /// <summary>Queues a message, waiting while the queue is full. Throws the call's <see cref="RpcException"/>
    /// when the call has already ended with an error, <see cref="InvalidOperationException"/> after <see cref="CompleteAsync"/>.</summary>
    public ValueTask WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _queue.Writer.TryWrite(message) ? default : WriteSlowAsync(message, cancellationToken);
    }

    /// <summary>Ends the request stream (the server sees the end of its requests). Idempotent.</summary>
    public ValueTask CompleteAsync()
    {
        _queue.Writer.TryComplete();
        return default;
    }

    /// <summary>Closes the queue because the call ended; later writes throw <paramref name="reason"/> (or a plain "ended").</summary>
    internal void Close(Exception? reason) => _queue.Writer.TryComplete(reason);

    private async ValueTask WriteSlowAsync(T message, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException e)
        {
            if (e.InnerException is RpcException rpc)
            {
                throw new RpcException(rpc.Status, rpc.Trailers);
            }

            throw new InvalidOperationException("the request stream is complete or the call has ended", e);
        }
    }
}

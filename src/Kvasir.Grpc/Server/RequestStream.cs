using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Server;

/// <summary>
/// The stream of request messages of a client- or bidi-streaming call, parsed straight from the
/// request body. One reader at a time. A malformed frame ends the call with its status
/// (MoveNextAsync throws <see cref="RpcException"/>; let it propagate).
/// </summary>
public sealed class RequestStream<T>
{
    private readonly PipeReader _body;
    private readonly Marshaller<T> _marshaller;
    private readonly int _maxMessageSize;
    private readonly CancellationToken _callToken;
    private readonly IGrpcServerObserver? _observer;
    private readonly string _method;

    internal RequestStream(ServerCallContext context, Marshaller<T> marshaller, GrpcServerOptions options)
    {
        _body = context.HttpContext.Request.BodyReader;
        _marshaller = marshaller;
        _maxMessageSize = options.MaxReceiveMessageSize;
        _callToken = context.CancellationToken;
        _observer = options.Observer;
        _method = context.Method;
    }

    /// <summary>The message the last successful <see cref="MoveNextAsync"/> read.</summary>
    public T Current { get; private set; } = default!;

    /// <summary>Reads the next message: false when the client has closed its side. Waits are
    /// cancelled by <paramref name="cancellationToken"/> when it can be cancelled, else by the call's token.</summary>
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        var token = cancellationToken.CanBeCanceled ? cancellationToken : _callToken;
        var received = await PipeFrames.ReadAsync(_body, _marshaller, _maxMessageSize, "request", token).ConfigureAwait(false);
        if (!received.HasMessage)
        {
            return false;
        }

        Current = received.Message;
        _observer?.StreamMessagesReceived(_method, 1);
        return true;
    }

    /// <summary>All remaining messages, in order.</summary>
    public async IAsyncEnumerable<T> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return Current;
        }
    }
}

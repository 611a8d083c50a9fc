using System.Runtime.CompilerServices;

namespace Kvasir.Grpc.Client;

/// <summary>The response side of a server- or bidi-streaming call. One reader at a time.</summary>
public sealed class ClientResponseStream<TResponse>
{
    private readonly Func<CancellationToken, ValueTask<bool>> _moveNext;
    private readonly Func<TResponse> _current;

    internal ClientResponseStream(Func<CancellationToken, ValueTask<bool>> moveNext, Func<TResponse> current)
    {
        _moveNext = moveNext;
        _current = current;
    }

    /// <summary>The message the last successful <see cref="MoveNextAsync"/> read.</summary>
    public TResponse Current => _current();

    /// <summary>Reads the next message: false when the call ended OK; throws <see cref="RpcException"/> when it ended otherwise.</summary>
    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default) => _moveNext(cancellationToken);

    /// <summary>All remaining messages, in order.</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return Current;
        }
    }
}

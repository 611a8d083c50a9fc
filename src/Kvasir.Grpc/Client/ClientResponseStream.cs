using System.Runtime.CompilerServices;

namespace Kvasir.Grpc.Client;

/// <summary>The response side of a server- or bidi-streaming call. One reader at a time.</summary>
public sealed class ClientResponseStream<TResponse>
{
    private readonly IStreamingCall<TResponse> _call;

    internal ClientResponseStream(IStreamingCall<TResponse> call)
    {
        _call = call;
    }

    /// <summary>The message the last successful <see cref="MoveNextAsync"/> read.</summary>
    public TResponse Current => _call.Current;

    /// <summary>Reads the next message: false when the call ended OK; throws <see cref="RpcException"/> when it ended otherwise.
    /// <paramref name="cancellationToken"/> cancels this read (with <see cref="OperationCanceledException"/>).</summary>
    public ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default) => _call.MoveNextAsync(cancellationToken);

    /// <summary>All remaining messages, in order.</summary>
    public async IAsyncEnumerable<TResponse> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return Current;
        }
    }
}

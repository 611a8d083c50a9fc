using System.Runtime.CompilerServices;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Client.Internal;

namespace Kvasir.Client;

/// <summary>
/// etcd's Watch service. Each <see cref="WatchAsync(ByteString, WatchOptions?, CancellationToken)"/>
/// is one watch, read as an async stream of etcd's watch responses; all watches of a client share
/// one gRPC stream. When that stream breaks (a member restarts, a connection drops), the client
/// opens a new one, on the next endpoint if need be, and resumes each watch from the revision after
/// the last one it yielded: nothing is missed and nothing repeats. A watch whose history was
/// compacted away throws <see cref="EtcdCompactedException"/>; other refusals throw
/// <see cref="EtcdException"/>. Breaking out of the enumeration (or cancelling it) cancels the watch
/// on the server.
/// </summary>
public sealed class WatchClient : IAsyncDisposable
{
    private readonly CallInvoker _invoker;
    private readonly WatchStream _stream;

    internal WatchClient(CallInvoker invoker)
    {
        _invoker = invoker;
        _stream = new WatchStream(invoker);
        invoker.Core.Track(_stream);
    }

    /// <summary>Watches <paramref name="key"/> (or the range <paramref name="options"/> names). Throws
    /// <see cref="ArgumentException"/> at once for contradictory options.</summary>
    public IAsyncEnumerable<WatchResponse> WatchAsync(ByteString key, WatchOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = (options ?? DefaultOptions).ToCreateRequest(key);
        ObjectDisposedException.ThrowIf(_invoker.Core.IsDisposed, typeof(EtcdClient));
        return ReadAsync(new Watcher(request, options?.CreatedNotify ?? false, _invoker.Core.Options.WatchBufferCapacity), cancellationToken);
    }

    public IAsyncEnumerable<WatchResponse> WatchAsync(string key, WatchOptions? options = null, CancellationToken cancellationToken = default) =>
        WatchAsync(Op.Utf8(key), options, cancellationToken);

    /// <summary>Asks the server for a progress notification on every watch of this client (etcd 3.4+): each
    /// yields an empty response whose header revision it has caught up to. Completes once the request is sent.</summary>
    public Task RequestProgressAsync(CancellationToken cancellationToken = default) => _stream.RequestProgressAsync(cancellationToken);

    /// <summary>Ends every watch of this client view; their readers see <see cref="ObjectDisposedException"/>.</summary>
    public ValueTask DisposeAsync() => _stream.DisposeAsync();

    private async IAsyncEnumerable<WatchResponse> ReadAsync(Watcher watcher, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _stream.AddAsync(watcher, cancellationToken).ConfigureAwait(false);
        try
        {
            while (await watcher.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (watcher.Reader.TryRead(out var response))
                {
                    yield return response;
                }
            }
        }
        finally
        {
            await _stream.RemoveAsync(watcher).ConfigureAwait(false);
        }
    }

    private static readonly WatchOptions DefaultOptions = new();
}

using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Kvasir.Grpc.Hosting;

/// <summary>Binds <see cref="DetachedEndPoint"/>s only: listeners that wait, never accepting, until unbound.</summary>
internal sealed class DetachedListenerFactory : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is DetachedEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        endpoint is DetachedEndPoint
            ? new ValueTask<IConnectionListener>(new Listener(endpoint))
            : throw new ArgumentException($"only detached endpoints bind here, not {endpoint}", nameof(endpoint));

    private sealed class Listener(EndPoint endPoint) : IConnectionListener
    {
        private readonly TaskCompletionSource _unbound = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public EndPoint EndPoint { get; } = endPoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            await _unbound.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            _unbound.TrySetResult();
            return default;
        }

        public ValueTask DisposeAsync()
        {
            _unbound.TrySetResult();
            return default;
        }
    }
}

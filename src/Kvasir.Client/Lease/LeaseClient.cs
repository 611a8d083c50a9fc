using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Client.Internal;
using Kvasir.Grpc;

namespace Kvasir.Client;

/// <summary>
/// etcd's Lease service: grant, revoke, time-to-live, the list of leases, and keep-alives. A lease
/// expires TTL seconds after its last renewal, deleting the keys attached to it.
/// </summary>
public sealed class LeaseClient : IAsyncDisposable
{
    private readonly CallInvoker _invoker;
    private readonly KeepAliveLoop _keepAlives;

    internal LeaseClient(CallInvoker invoker)
    {
        _invoker = invoker;
        _keepAlives = new KeepAliveLoop(invoker);
        invoker.Core.Track(_keepAlives);
    }

    /// <summary>Grants a lease of <paramref name="ttl"/> seconds (the server raises it to its minimum, about 2 s), with
    /// <paramref name="id"/> or (0) an id the server picks. An id in use gives <c>lease already exists</c>.</summary>
    public Task<LeaseGrantResponse> GrantAsync(long ttl, long id = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ttl);
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        return _invoker.UnaryAsync(EtcdMethods.LeaseGrant, new LeaseGrantRequest { TTL = ttl, ID = id }, idempotent: false, cancellationToken);
    }

    /// <summary>Revokes the lease and deletes its keys. An unknown lease gives <c>requested lease not found</c>.</summary>
    public Task<LeaseRevokeResponse> RevokeAsync(long id, CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.LeaseRevoke, new LeaseRevokeRequest { ID = id }, idempotent: false, cancellationToken);

    /// <summary>The lease's remaining and granted TTL (and its keys when <paramref name="keys"/>). An unknown lease answers TTL -1, not an error.</summary>
    public Task<LeaseTimeToLiveResponse> TimeToLiveAsync(long id, bool keys = false, CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.LeaseTimeToLive, new LeaseTimeToLiveRequest { ID = id, Keys = keys }, idempotent: true, cancellationToken);

    /// <summary>Every lease of the cluster (etcd 3.3+).</summary>
    public Task<LeaseLeasesResponse> LeasesAsync(CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.LeaseLeases, new LeaseLeasesRequest(), idempotent: true, cancellationToken);

    /// <summary>Renews the lease once. A lease that is gone (the server answers TTL 0) throws <see cref="EtcdException"/>
    /// with <see cref="EtcdErrors.LeaseNotFound"/>, as etcd's clients report it.</summary>
    public async Task<LeaseKeepAliveResponse> KeepAliveOnceAsync(long id, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_invoker.Core.IsDisposed, typeof(EtcdClient));
        await _invoker.Core.EnsureTokenAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var generation = _invoker.Core.TokenGeneration;
            using var call = _invoker.Core.Channel.DuplexStreaming(EtcdMethods.LeaseKeepAlive, _invoker.CallOptions(cancellationToken, idempotent: true));
            try
            {
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id }, cancellationToken).ConfigureAwait(false);
                if (!await call.ResponseStream.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new EtcdException(StatusCode.Unavailable, "the keep-alive stream ended without an answer");
                }
            }
            catch (RpcException e)
            {
                if (attempt == 0 && _invoker.Core.ShouldRefreshToken(e.Status.Detail))
                {
                    await _invoker.Core.RefreshTokenAsync(generation, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw EtcdException.From(e);
            }

            var response = call.ResponseStream.Current;
            return response.TTL > 0
                ? response
                : throw new EtcdException((StatusCode)(int)EtcdErrors.LeaseNotFound.Code, EtcdErrors.LeaseNotFound.Message, EtcdErrors.LeaseNotFound);
        }
    }

    /// <summary>
    /// Keeps the lease alive in the background until the handle is disposed or the lease is lost
    /// (<see cref="LeaseKeepAlive.Done"/>). All the leases of a client share one keep-alive stream.
    /// </summary>
    public LeaseKeepAlive KeepAlive(long id)
    {
        ObjectDisposedException.ThrowIf(_invoker.Core.IsDisposed, typeof(EtcdClient));
        return _keepAlives.Add(id);
    }

    /// <summary>Stops every keep-alive of this client view.</summary>
    public ValueTask DisposeAsync() => _keepAlives.DisposeAsync();
}

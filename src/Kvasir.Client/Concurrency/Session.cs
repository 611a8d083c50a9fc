using Kvasir.Api.Errors;

namespace Kvasir.Client.Concurrency;

/// <summary>
/// A lease kept alive for as long as the session lives: the owner of the keys that locks and
/// elections write. If the process dies (or its connection is lost for longer than the TTL), the
/// lease expires and those keys go with it, releasing what the session held. <see cref="Done"/>
/// fires when keeping the lease alive stops. Disposing the session revokes the lease.
/// </summary>
public sealed class Session : IAsyncDisposable
{
    private readonly LeaseKeepAlive _keepAlive;
    private int _closed;

    private Session(EtcdClient client, long leaseId, long ttl, LeaseKeepAlive keepAlive)
    {
        Client = client;
        LeaseId = leaseId;
        Ttl = ttl;
        _keepAlive = keepAlive;
    }

    public EtcdClient Client { get; }

    /// <summary>The session's lease; the keys it writes are attached to it.</summary>
    public long LeaseId { get; }

    /// <summary>The TTL asked for, in seconds.</summary>
    public long Ttl { get; }

    /// <summary>Fires when the lease is no longer kept alive: it expired or was revoked, renewals failed past its
    /// deadline, or the session was closed or orphaned.</summary>
    public CancellationToken Done => _keepAlive.Done;

    /// <summary>True once the lease must be presumed gone (not merely no longer renewed by this session).</summary>
    public bool IsExpired => _keepAlive.EndReason is KeepAliveEndReason.LeaseNotFound or KeepAliveEndReason.DeadlinePassed;

    /// <summary>Grants a lease (or takes <see cref="SessionOptions.LeaseId"/>) and starts keeping it alive.</summary>
    public static async Task<Session> CreateAsync(EtcdClient client, SessionOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new SessionOptions();
        if (options.Ttl <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Ttl, "the session TTL must be positive");
        }

        var leaseId = options.LeaseId;
        if (leaseId == 0)
        {
            var grant = await client.Lease.GrantAsync(options.Ttl, cancellationToken: cancellationToken).ConfigureAwait(false);
            leaseId = grant.ID;
        }

        return new Session(client, leaseId, options.Ttl, client.Lease.KeepAlive(leaseId));
    }

    /// <summary>Stops keeping the lease alive without revoking it: its keys stay until the TTL runs out.</summary>
    public ValueTask OrphanAsync()
    {
        Interlocked.Exchange(ref _closed, 1);
        return _keepAlive.DisposeAsync();
    }

    /// <summary>Stops keeping the lease alive and revokes it, deleting every key of the session. A lease already gone is fine.</summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Exchange(ref _closed, 1);
        await _keepAlive.DisposeAsync().ConfigureAwait(false);
        try
        {
            await Client.Lease.RevokeAsync(LeaseId, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException e) when (ReferenceEquals(e.Error, EtcdErrors.LeaseNotFound))
        {
        }
    }

    /// <summary>Closes the session, revoking its lease, waiting at most the TTL for the server. Failures are
    /// swallowed: the lease then expires by itself.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _closed) != 0)
        {
            return;
        }

        using var bound = NewTtlBound();
        try
        {
            await CloseAsync(bound.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is EtcdException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// A bound of one TTL for work that must finish even when the caller gave up (withdrawing a key,
    /// closing): past it, the lease takes whatever the work was meant to remove.
    /// </summary>
    internal CancellationTokenSource NewTtlBound() => new(TimeSpan.FromSeconds(Ttl), Client.Options.TimeProvider);
}

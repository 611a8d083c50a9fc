using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Client;

namespace Kvasir.Client.Internal;

/// <summary>
/// What every view of one client shares: the channel (connections, endpoints, failover) and the auth
/// token. The token is fetched on first use when credentials are configured, and again when the
/// server says it is no longer valid; one refresh runs at a time and later callers reuse its result.
/// </summary>
internal sealed class ClientCore : IDisposable, IAsyncDisposable
{
    private readonly SemaphoreSlim _authGate = new(1, 1);
    private readonly List<IAsyncDisposable> _loops = [];
    private readonly Lock _loopsGate = new();
    private volatile string? _token;
    private long _tokenGeneration;
    private int _disposed;

    public ClientCore(EtcdClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Channel = CreateChannel(options.Endpoints);
    }

    public EtcdClientOptions Options { get; }

    public GrpcChannel Channel { get; }

    public TimeProvider Time => Options.TimeProvider;

    /// <summary>The token sent with calls, or null (no credentials, or auth not enabled on the server).</summary>
    public string? Token => _token;

    /// <summary>How many times a token was fetched (0 = not yet). Callers note it before a call, so that a
    /// refresh after that call's failure is skipped when another caller already refreshed.</summary>
    public long TokenGeneration => Interlocked.Read(ref _tokenGeneration);

    public bool HasCredentials => Options.Username is not null;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>A channel to <paramref name="endpoints"/> with this client's settings (one endpoint for per-member calls). The caller disposes it.</summary>
    public GrpcChannel CreateChannel(IReadOnlyList<string> endpoints) => new(new GrpcChannelOptions
    {
        Endpoints = endpoints,
        ConnectTimeout = Options.DialTimeout,
        KeepAlivePingDelay = Options.KeepAliveTime,
        KeepAlivePingTimeout = Options.KeepAliveTimeout,
        ConnectionsPerEndpoint = Options.ConnectionsPerEndpoint,
        MaxReceiveMessageSize = Options.MaxReceiveMessageSize,
        ClientCertificates = Options.ClientCertificates,
        TrustedCertificateAuthorities = Options.TrustedCertificateAuthorities,
        InsecureSkipVerify = Options.InsecureSkipVerify,
        TimeProvider = Options.TimeProvider,
        UserAgent = "kvasir-client/" + typeof(ClientCore).Assembly.GetName().Version,
    });

    /// <summary>Gets a token before the first call when credentials are configured.</summary>
    public ValueTask EnsureTokenAsync(CancellationToken cancellationToken) =>
        !HasCredentials || TokenGeneration > 0 ? default : new ValueTask(RefreshTokenAsync(0, cancellationToken));

    /// <summary>
    /// True for the answers after which a fresh token may make the call succeed: the token expired or was
    /// dropped by the server (<c>invalid auth token</c>), the auth store changed under it (<c>revision of
    /// auth store is old</c>), or none was sent while the server now wants one (<c>user name is empty</c>).
    /// </summary>
    public bool ShouldRefreshToken(string? message)
    {
        if (!HasCredentials)
        {
            return false;
        }

        var error = EtcdErrors.FromMessage(message);
        return ReferenceEquals(error, EtcdErrors.InvalidAuthToken)
            || ReferenceEquals(error, EtcdErrors.AuthOldRevision)
            || ReferenceEquals(error, EtcdErrors.UserEmpty);
    }

    /// <summary>
    /// Authenticates again unless another caller already did since <paramref name="seenGeneration"/> (the
    /// <see cref="TokenGeneration"/> noted before the failed call). A server without auth enabled leaves the
    /// token null. Wrong credentials throw <see cref="EtcdException"/>.
    /// </summary>
    public async Task RefreshTokenAsync(long seenGeneration, CancellationToken cancellationToken)
    {
        await _authGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (TokenGeneration != seenGeneration)
            {
                return;
            }

            var request = new AuthenticateRequest { Name = Options.Username, Password = Options.Password };
            var options = new CallOptions
            {
                Deadline = Time.GetUtcNow().UtcDateTime + (Options.CommandTimeout ?? Options.DialTimeout + TimeSpan.FromSeconds(5)),
                CancellationToken = cancellationToken,
                Idempotent = true,
            };
            try
            {
                var response = await Channel.UnaryAsync(EtcdMethods.Authenticate, request, options).ConfigureAwait(false);
                _token = response.Token;
            }
            catch (RpcException e) when (ReferenceEquals(EtcdErrors.FromMessage(e.Status.Detail), EtcdErrors.AuthNotEnabled))
            {
                _token = null;
            }
            catch (RpcException e)
            {
                throw EtcdException.From(e);
            }

            Interlocked.Increment(ref _tokenGeneration);
        }
        finally
        {
            _authGate.Release();
        }
    }

    /// <summary>Registers a background loop (a watch stream, the keep-alive stream) to stop when the client is disposed.</summary>
    public void Track(IAsyncDisposable loop)
    {
        lock (_loopsGate)
        {
            if (!IsDisposed)
            {
                _loops.Add(loop);
                return;
            }
        }

        // Made after the client was disposed: stop it at once.
        _ = loop.DisposeAsync().AsTask();
    }

    public async ValueTask DisposeAsync()
    {
        if (!TryTakeLoopsForDispose(out var loops))
        {
            return;
        }

        foreach (var loop in loops)
        {
            await loop.DisposeAsync().ConfigureAwait(false);
        }

        Channel.Dispose();
    }

    /// <summary>Marks the core disposed and takes its loops; false when it was disposed already.</summary>
    private bool TryTakeLoopsForDispose(out IAsyncDisposable[] loops)
    {
        loops = [];
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return false;
        }

        lock (_loopsGate)
        {
            loops = [.. _loops];
            _loops.Clear();
        }

        return true;
    }

    /// <summary>Stops the background loops without waiting for them to wind down, and closes the connections.</summary>
    public void Dispose()
    {
        if (!TryTakeLoopsForDispose(out var loops))
        {
            return;
        }

        foreach (var loop in loops)
        {
            // Each loop cancels itself synchronously at the start of DisposeAsync; the rest winds down in the background.
            _ = loop.DisposeAsync().AsTask();
        }

        Channel.Dispose();
    }
}

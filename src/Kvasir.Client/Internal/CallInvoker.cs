using Kvasir.Grpc;
using Kvasir.Grpc.Client;

namespace Kvasir.Client.Internal;

/// <summary>
/// How one view of a client makes calls: its metadata (the auth token, and <c>hasleader</c> when the
/// view requires a leader), the command deadline, and the translation of failures into
/// <see cref="EtcdException"/>. A call refused for a stale token is retried once with a fresh one.
/// </summary>
internal sealed class CallInvoker
{
    private readonly bool _requireLeader;
    private HeaderCache? _headers;

    public CallInvoker(ClientCore core, bool requireLeader)
    {
        Core = core;
        _requireLeader = requireLeader;
    }

    public ClientCore Core { get; }

    public bool RequireLeader => _requireLeader;

    /// <summary>Calls <paramref name="method"/> on the client's channel (or <paramref name="channel"/> for per-member calls).</summary>
    /// <param name="idempotent">True when running the call twice is harmless (reads): it may then be retried on the next endpoint after UNAVAILABLE.</param>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, bool idempotent, CancellationToken cancellationToken, GrpcChannel? channel = null)
    {
        ObjectDisposedException.ThrowIf(Core.IsDisposed, typeof(EtcdClient));
        await Core.EnsureTokenAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var generation = Core.TokenGeneration;
            try
            {
                return await (channel ?? Core.Channel).UnaryAsync(method, request, CallOptions(cancellationToken, idempotent)).ConfigureAwait(false);
            }
            catch (RpcException e)
            {
                if (attempt == 0 && Core.ShouldRefreshToken(e.Status.Detail))
                {
                    await Core.RefreshTokenAsync(generation, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw EtcdException.From(e);
            }
        }
    }

    /// <summary>Options of a unary call: metadata, the command deadline, cancellation.</summary>
    public CallOptions CallOptions(CancellationToken cancellationToken, bool idempotent) => new()
    {
        Headers = Headers(),
        Deadline = Core.Options.CommandTimeout is { } timeout ? Core.Time.GetUtcNow().UtcDateTime + timeout : null,
        CancellationToken = cancellationToken,
        Idempotent = idempotent,
    };

    /// <summary>Options of a stream: metadata and cancellation, no deadline.</summary>
    public CallOptions StreamOptions(CancellationToken cancellationToken) => new()
    {
        Headers = Headers(),
        CancellationToken = cancellationToken,
    };

    /// <summary>The metadata for the current token, built once per token and shared by concurrent calls (read-only once built).</summary>
    private Metadata? Headers()
    {
        var token = Core.Token;
        var cached = Volatile.Read(ref _headers);
        if (cached is not null && ReferenceEquals(cached.Token, token))
        {
            return cached.Headers;
        }

        Metadata? headers = null;
        if (token is not null)
        {
            (headers ??= new Metadata()).Add("token", token);
        }

        if (_requireLeader)
        {
            (headers ??= new Metadata()).Add("hasleader", "true");
        }

        Volatile.Write(ref _headers, new HeaderCache(token, headers));
        return headers;
    }

    private sealed record HeaderCache(string? Token, Metadata? Headers);
}

using System.Security.Cryptography.X509Certificates;

namespace Kvasir.Client;

/// <summary>
/// How an <see cref="EtcdClient"/> connects and calls: the endpoints, TLS, credentials and
/// timeouts. Read once, when the client is built; <see cref="Validate"/> refuses contradictions.
/// </summary>
public sealed class EtcdClientOptions
{
    /// <summary>Endpoints in order of preference: <c>host:port</c>, <c>http://host:port</c> or <c>https://host:port</c>.
    /// Calls go to the current one and move to the next when it cannot be reached.</summary>
    public required IReadOnlyList<string> Endpoints { get; init; }

    /// <summary>How long connecting to one endpoint may take before the client moves on (etcdctl's <c>--dial-timeout</c>).</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A deadline for every unary call (etcdctl's <c>--command-timeout</c>); null means calls are bounded
    /// only by the caller's CancellationToken. Streams (watch, keep-alive, snapshot) have no command deadline.</summary>
    public TimeSpan? CommandTimeout { get; init; }

    /// <summary>User name for etcd's auth; the client authenticates on first use and again when the server says
    /// its token is invalid. Needs <see cref="Password"/>.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>Client certificates (with their private keys) offered to a TLS server that asks for one.</summary>
    public X509Certificate2Collection? ClientCertificates { get; init; }

    /// <summary>CAs the server certificate must chain to (etcdctl's <c>--cacert</c>); null means the system's trust store.</summary>
    public X509Certificate2Collection? TrustedCertificateAuthorities { get; init; }

    /// <summary>Accepts any server certificate (etcdctl's <c>--insecure-skip-tls-verify</c>). For tests only.</summary>
    public bool InsecureSkipVerify { get; init; }

    /// <summary>Sends <c>hasleader=true</c> with every call and stream: the server then fails them with
    /// <c>etcdserver: no leader</c> rather than waiting while its cluster has no leader.</summary>
    public bool RequireLeader { get; init; }

    /// <summary>HTTP/2 keepalive ping interval while calls are open (etcdctl's <c>--keepalive-time</c>); at least 5 s, etcd's minimum.</summary>
    public TimeSpan KeepAliveTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a keepalive ping may stay unanswered before the connection counts as broken.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>HTTP/2 connections kept to each endpoint; calls are spread over them in turn.</summary>
    public int ConnectionsPerEndpoint { get; init; } = 1;

    /// <summary>The largest response accepted, in bytes. Default: no limit, as etcd's Go client.</summary>
    public int MaxReceiveMessageSize { get; init; } = int.MaxValue;

    /// <summary>Responses a watcher buffers for a slow reader before the watch stream waits for it (back-pressure on every watcher of the stream).</summary>
    public int WatchBufferCapacity { get; init; } = 256;

    /// <summary>How long a lease keep-alive waits for its first answer before the lease counts as lost.</summary>
    public TimeSpan FirstKeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>The clock for deadlines, keep-alive schedules and reconnect back-off.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The source of back-off jitter; seed it for reproducible schedules.</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (Endpoints is null || Endpoints.Count == 0)
        {
            throw new ArgumentException("at least one endpoint is needed", nameof(Endpoints));
        }

        foreach (var endpoint in Endpoints)
        {
            if (string.IsNullOrWhiteSpace(endpoint))
            {
                throw new ArgumentException("an endpoint is empty", nameof(Endpoints));
            }
        }

        if ((Username is null) != (Password is null))
        {
            throw new ArgumentException("a user name needs a password and a password needs a user name", Username is null ? nameof(Username) : nameof(Password));
        }

        if (Username is { Length: 0 })
        {
            throw new ArgumentException("the user name is empty", nameof(Username));
        }

        Positive(DialTimeout, nameof(DialTimeout));
        Positive(KeepAliveTimeout, nameof(KeepAliveTimeout));
        Positive(FirstKeepAliveTimeout, nameof(FirstKeepAliveTimeout));
        if (CommandTimeout is { } command)
        {
            Positive(command, nameof(CommandTimeout));
        }

        if (KeepAliveTime < TimeSpan.FromSeconds(5) && KeepAliveTime != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(KeepAliveTime), KeepAliveTime, "must be at least 5 s (etcd's keepalive minimum) or infinite");
        }

        if (ConnectionsPerEndpoint is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectionsPerEndpoint), ConnectionsPerEndpoint, "must be between 1 and 64");
        }

        if (MaxReceiveMessageSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReceiveMessageSize), MaxReceiveMessageSize, "must be positive");
        }

        if (WatchBufferCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(WatchBufferCapacity), WatchBufferCapacity, "must be at least 1");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
        ArgumentNullException.ThrowIfNull(Random);
    }

    private static void Positive(TimeSpan value, string name)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(name, value, "must be positive");
        }
    }
}

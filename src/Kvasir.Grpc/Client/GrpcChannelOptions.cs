using System.Security.Cryptography.X509Certificates;

namespace Kvasir.Grpc.Client;

/// <summary>How a <see cref="GrpcChannel"/> connects. Read once, when the channel is built.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>The least keepalive ping interval: etcd answers pings more frequent than its
    /// <c>--grpc-keepalive-min-time</c> (5 s) with GOAWAY ENHANCE_YOUR_CALM.</summary>
    public static readonly TimeSpan MinKeepAlivePingDelay = TimeSpan.FromSeconds(5);

    /// <summary>Endpoints in order of preference: <c>http://host:port</c>, <c>https://host:port</c> or <c>host:port</c> (cleartext).</summary>
    public required IReadOnlyList<string> Endpoints { get; init; }

    /// <summary>The largest response message accepted (RESOURCE_EXHAUSTED beyond). Default: no limit, as etcd's Go client.</summary>
    public int MaxReceiveMessageSize { get; init; } = int.MaxValue;

    /// <summary>Certificates presented to a TLS server that asks for one (mutual TLS).</summary>
    public X509Certificate2Collection? ClientCertificates { get; init; }

    /// <summary>CAs the server's certificate must chain to (etcdctl's <c>--cacert</c>); null means the system's trust store.</summary>
    public X509Certificate2Collection? TrustedCertificateAuthorities { get; init; }

    /// <summary>Accepts any server certificate (etcdctl's <c>--insecure-skip-tls-verify</c>). For tests only.</summary>
    public bool InsecureSkipVerify { get; init; }

    /// <summary>HTTP/2 keepalive ping interval while calls are open; at least <see cref="MinKeepAlivePingDelay"/>, or infinite to turn pings off.</summary>
    public TimeSpan KeepAlivePingDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a keepalive ping may go unanswered before the connection is dropped.</summary>
    public TimeSpan KeepAlivePingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a TCP (and TLS) connect may take before the endpoint counts as down.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Opens another HTTP/2 connection to an endpoint when the server's stream limit is reached on the current ones.</summary>
    public bool EnableMultipleHttp2Connections { get; init; } = true;

    /// <summary>HTTP/2 connections kept to each endpoint, calls spread over them in turn: more than one lets a
    /// busy client use more than one connection's worth of server and socket parallelism.</summary>
    public int ConnectionsPerEndpoint { get; init; } = 1;

    /// <summary>How many request messages a streaming call queues before <c>WriteAsync</c> waits.</summary>
    public int RequestStreamCapacity { get; init; } = 64;

    /// <summary>The clock deadlines are measured with.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Sent as <c>user-agent</c>.</summary>
    public string UserAgent { get; init; } = "kvasir-grpc/" + typeof(GrpcChannelOptions).Assembly.GetName().Version;

    /// <summary>A handler to send requests with instead of the channel's own (tests); the TLS, keepalive and connection options above are then the handler's business.</summary>
    public HttpMessageHandler? Handler { get; init; }

    internal void Validate()
    {
        if (Endpoints is null || Endpoints.Count == 0)
        {
            throw new ArgumentException("at least one endpoint is needed", nameof(Endpoints));
        }

        if (KeepAlivePingDelay != Timeout.InfiniteTimeSpan && KeepAlivePingDelay < MinKeepAlivePingDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(KeepAlivePingDelay), KeepAlivePingDelay, $"must be at least {MinKeepAlivePingDelay.TotalSeconds} s (etcd's keepalive minimum) or infinite");
        }

        if (MaxReceiveMessageSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxReceiveMessageSize), MaxReceiveMessageSize, "must not be negative");
        }

        if (ConnectionsPerEndpoint is < 1 or > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectionsPerEndpoint), ConnectionsPerEndpoint, "must be between 1 and 64");
        }

        if (Handler is not null && ConnectionsPerEndpoint != 1)
        {
            throw new ArgumentException("a custom handler manages its own connections: leave ConnectionsPerEndpoint at 1", nameof(ConnectionsPerEndpoint));
        }

        if (RequestStreamCapacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestStreamCapacity), RequestStreamCapacity, "must be at least 1");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}

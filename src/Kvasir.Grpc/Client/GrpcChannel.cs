using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Client;

/// <summary>
/// A gRPC client over HTTP/2 on <see cref="SocketsHttpHandler"/>: h2c by prior knowledge for
/// <c>http://</c>, TLS (ALPN h2, optional client certificates, a custom CA) for <c>https://</c>.
/// Calls go to the current endpoint; when it cannot be reached (or answers UNAVAILABLE) the channel
/// moves to the next one, and a call that never reached a server is retried there at once.
/// Thread-safe: one channel serves the whole process and multiplexes calls on its connections.
/// </summary>
public sealed partial class GrpcChannel : IDisposable
{
    private readonly GrpcEndpoint[] _endpoints;
    private readonly HttpMessageInvoker[] _invokers;
    private readonly GrpcChannelOptions _options;
    private readonly TimeProvider _timeProvider;
    private int _current;
    private int _nextInvoker;

    public GrpcChannel(GrpcChannelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _timeProvider = options.TimeProvider;
        _endpoints = new GrpcEndpoint[options.Endpoints.Count];
        for (var i = 0; i < _endpoints.Length; i++)
        {
            _endpoints[i] = GrpcEndpoint.Parse(options.Endpoints[i]);
        }

        _invokers = new HttpMessageInvoker[options.ConnectionsPerEndpoint];
        for (var i = 0; i < _invokers.Length; i++)
        {
            _invokers[i] = new HttpMessageInvoker(options.Handler ?? CreateHandler(options), disposeHandler: options.Handler is null);
        }
    }

    /// <summary>A channel to one or more endpoints with default options.</summary>
    public static GrpcChannel ForEndpoints(params string[] endpoints) => new(new GrpcChannelOptions { Endpoints = endpoints });

    public IReadOnlyList<GrpcEndpoint> Endpoints => _endpoints;

    /// <summary>The endpoint the next call goes to.</summary>
    public GrpcEndpoint CurrentEndpoint => _endpoints[Volatile.Read(ref _current)];

    public void Dispose()
    {
        foreach (var invoker in _invokers)
        {
            invoker.Dispose();
        }
    }

    /// <summary>Moves to the endpoint after <paramref name="failed"/>, unless another call already moved on.</summary>
    internal void Failover(int failed)
    {
        if (_endpoints.Length > 1)
        {
            Interlocked.CompareExchange(ref _current, (failed + 1) % _endpoints.Length, failed);
        }
    }

    internal int CurrentIndex => Volatile.Read(ref _current);

    internal int EndpointCount => _endpoints.Length;

    internal GrpcEndpoint EndpointAt(int index) => _endpoints[index];

    /// <summary>The invoker (and so the connection pool) for the next call, in turn.</summary>
    internal HttpMessageInvoker Invoker => _invokers.Length == 1 ? _invokers[0] : _invokers[(int)((uint)Interlocked.Increment(ref _nextInvoker) % (uint)_invokers.Length)];

    internal int MaxReceiveMessageSize => _options.MaxReceiveMessageSize;

    internal int RequestStreamCapacity => _options.RequestStreamCapacity;

    internal TimeProvider TimeProvider => _timeProvider;

    /// <summary>Response body readers: pooled memory, reads sized for typical messages.</summary>
    internal static StreamPipeReaderOptions ReaderOptions { get; } = new(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: false);

    internal HttpRequestMessage CreateRequest(GrpcEndpoint endpoint, string fullName, in CallOptions options, CallLifetime lifetime, HttpContent content)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint.UriFor(fullName))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        var headers = request.Headers;
        headers.TryAddWithoutValidation(GrpcProtocol.TeHeader, GrpcProtocol.Trailers);
        headers.TryAddWithoutValidation("user-agent", _options.UserAgent);
        if (lifetime.TimeoutHeader() is { } timeout)
        {
            headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, timeout);
        }

        if (options.Headers is { } metadata)
        {
            foreach (var (key, value) in metadata)
            {
                headers.TryAddWithoutValidation(key, value);
            }
        }

        return request;
    }

    private static SocketsHttpHandler CreateHandler(GrpcChannelOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = options.EnableMultipleHttp2Connections,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            InitialHttp2StreamWindowSize = 1024 * 1024,
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
        };

        var ssl = new SslClientAuthenticationOptions();
        if (options.ClientCertificates is { } certificates)
        {
            ssl.ClientCertificates = certificates;
        }

        if (options.InsecureSkipVerify)
        {
            ssl.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (options.TrustedCertificateAuthorities is { } authorities)
        {
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) => ServerChainsTo(certificate, errors, authorities);
        }

        handler.SslOptions = ssl;
        return handler;
    }

    /// <summary>Accepts a server certificate whose only fault is an unknown root, when it chains to one of <paramref name="authorities"/>.</summary>
    private static bool ServerChainsTo(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection authorities)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}

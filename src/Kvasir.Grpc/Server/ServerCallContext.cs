using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;

namespace Kvasir.Grpc.Server;

/// <summary>
/// What a handler knows about its call: the method, the request metadata, the deadline, a token
/// that fires on the deadline or when the client goes away, the peer and its TLS certificate; and
/// what it may add to the answer: response headers (before the first message) and trailers.
/// Owned by one call; valid until the handler's task completes.
/// </summary>
public sealed class ServerCallContext : IDisposable
{
    private readonly HttpContext _http;
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource? _source;
    private readonly CancellationTokenRegistration _abortRegistration;
    private readonly CancellationTokenRegistration _stoppingRegistration;
    private readonly CancellationToken _stopping;
    private Metadata? _trailers;

    /// <param name="stopping">Fires when the server stops (given to streaming calls, which would otherwise outlive it).</param>
    internal ServerCallContext(HttpContext http, string method, TimeSpan? timeout, TimeProvider timeProvider, CancellationToken stopping)
    {
        _http = http;
        _timeProvider = timeProvider;
        _stopping = stopping;
        Method = method;

        // One timer per call with a deadline; beyond what a timer can hold (~49 days) the deadline is only informative.
        var timed = timeout is { } t && t < MaxTimer;
        if (timeout is { } d)
        {
            Deadline = timeProvider.GetUtcNow().UtcDateTime + d;
        }

        if (timed || stopping.CanBeCanceled)
        {
            _source = timed ? new CancellationTokenSource(timeout!.Value, timeProvider) : new CancellationTokenSource();
            _abortRegistration = http.RequestAborted.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _source);
            if (stopping.CanBeCanceled)
            {
                _stoppingRegistration = stopping.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _source);
            }
        }

        CancellationToken = _source?.Token ?? http.RequestAborted;
    }

    private static TimeSpan MaxTimer { get; } = TimeSpan.FromDays(49);

    /// <summary>The path of the method called, <c>/package.Service/Method</c>.</summary>
    public string Method { get; }

    /// <summary>The HTTP context of the call, for what this type does not surface.</summary>
    public HttpContext HttpContext => _http;

    /// <summary>All request headers (gRPC metadata is among them, keys lower-case).</summary>
    public IHeaderDictionary RequestHeaders => _http.Request.Headers;

    /// <summary>When the client's <c>grpc-timeout</c> expires (UTC), or null when it sent none.</summary>
    public DateTime? Deadline { get; }

    /// <summary>Fires when the deadline passes or the client cancels or disconnects.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>True once the deadline has passed (its timer fired, or the clock says so).</summary>
    public bool IsDeadlineExceeded =>
        Deadline is { } d
        && ((_source is { IsCancellationRequested: true } && !_http.RequestAborted.IsCancellationRequested && !_stopping.IsCancellationRequested)
            || _timeProvider.GetUtcNow().UtcDateTime >= d);

    /// <summary>True once the server is stopping (streaming calls' token fires then).</summary>
    public bool IsServerStopping => _stopping.IsCancellationRequested;

    /// <summary>The client's address and port.</summary>
    public IPEndPoint? Peer => _http.Connection.RemoteIpAddress is { } ip ? new IPEndPoint(ip, _http.Connection.RemotePort) : null;

    /// <summary>The client's TLS certificate when it presented one (etcd takes the user name from its CN).</summary>
    public X509Certificate2? ClientCertificate => _http.Connection.ClientCertificate;

    /// <summary>Response headers; changes after the first response message has been flushed are lost.</summary>
    public IHeaderDictionary ResponseHeaders => _http.Response.Headers;

    /// <summary>Trailers sent with the status at the end of the call.</summary>
    public Metadata ResponseTrailers => _trailers ??= new Metadata();

    internal Metadata? TrailersIfAny => _trailers;

    /// <summary>True once a response message has been written to the body (so the status goes in trailers).</summary>
    internal bool BodyWritten { get; set; }

    /// <summary>Set by a response stream: sending headers goes through its writer loop, the one owner of the body.</summary>
    internal Func<ValueTask>? HeaderFlusher { get; set; }

    /// <summary>The first value of request metadata <paramref name="key"/> (e.g. <c>token</c>, <c>hasleader</c>), or null.</summary>
    public string? GetMetadata(string key)
    {
        var values = _http.Request.Headers[key];
        return values.Count == 0 ? null : values[0];
    }

    /// <summary>Sends the response headers now, before any message (a no-op once they are sent).</summary>
    public ValueTask WriteResponseHeadersAsync()
    {
        if (HeaderFlusher is { } flusher)
        {
            return flusher();
        }

        return _http.Response.HasStarted ? default : new ValueTask(_http.Response.StartAsync(CancellationToken));
    }

    public void Dispose()
    {
        _abortRegistration.Dispose();
        _stoppingRegistration.Dispose();
        _source?.Dispose();
    }
}

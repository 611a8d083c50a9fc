namespace Kvasir.Grpc.Client;

/// <summary>A call with one request and a stream of responses. Dispose it to end the call early (the stream is reset).</summary>
public sealed class ServerStreamingCall<TResponse> : IDisposable
{
    private readonly Func<Task<Metadata>> _headers;
    private readonly Func<Status> _status;
    private readonly Func<Metadata> _trailers;
    private readonly IDisposable _call;

    internal ServerStreamingCall(ClientResponseStream<TResponse> responses, Func<Task<Metadata>> headers, Func<Status> status, Func<Metadata> trailers, IDisposable call)
    {
        ResponseStream = responses;
        _headers = headers;
        _status = status;
        _trailers = trailers;
        _call = call;
    }

    public ClientResponseStream<TResponse> ResponseStream { get; }

    /// <summary>The response headers, once they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync() => _headers();

    /// <summary>The status, once the call has finished (else <see cref="InvalidOperationException"/>).</summary>
    public Status GetStatus() => _status();

    /// <summary>The trailers, once the call has finished.</summary>
    public Metadata GetTrailers() => _trailers();

    public void Dispose() => _call.Dispose();
}

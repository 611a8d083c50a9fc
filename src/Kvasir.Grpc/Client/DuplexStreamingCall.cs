namespace Kvasir.Grpc.Client;

/// <summary>A call with a stream each way (Watch, LeaseKeepAlive). Dispose it to end the call (the stream is reset).</summary>
public sealed class DuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly Func<Task<Metadata>> _headers;
    private readonly Func<Status> _status;
    private readonly Func<Metadata> _trailers;
    private readonly IDisposable _call;

    internal DuplexStreamingCall(ClientRequestStream<TRequest> requests, ClientResponseStream<TResponse> responses, Func<Task<Metadata>> headers, Func<Status> status, Func<Metadata> trailers, IDisposable call)
    {
        RequestStream = requests;
        ResponseStream = responses;
        _headers = headers;
        _status = status;
        _trailers = trailers;
        _call = call;
    }

    public ClientRequestStream<TRequest> RequestStream { get; }

    public ClientResponseStream<TResponse> ResponseStream { get; }

    public Task<Metadata> ResponseHeadersAsync() => _headers();

    public Status GetStatus() => _status();

    public Metadata GetTrailers() => _trailers();

    public void Dispose() => _call.Dispose();
}

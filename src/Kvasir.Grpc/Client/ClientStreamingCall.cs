namespace Kvasir.Grpc.Client;

/// <summary>A call with a stream of requests and one response: write, complete the request stream, await the response.</summary>
public sealed class ClientStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly Lazy<Task<TResponse>> _response;
    private readonly Func<Task<Metadata>> _headers;
    private readonly Func<Status> _status;
    private readonly Func<Metadata> _trailers;
    private readonly IDisposable _call;

    internal ClientStreamingCall(ClientRequestStream<TRequest> requests, Func<Task<TResponse>> response, Func<Task<Metadata>> headers, Func<Status> status, Func<Metadata> trailers, IDisposable call)
    {
        RequestStream = requests;
        _response = new Lazy<Task<TResponse>>(response);
        _headers = headers;
        _status = status;
        _trailers = trailers;
        _call = call;
    }

    public ClientRequestStream<TRequest> RequestStream { get; }

    /// <summary>The response; throws <see cref="RpcException"/> when the call ends with another status.</summary>
    public Task<TResponse> ResponseAsync => _response.Value;

    public Task<Metadata> ResponseHeadersAsync() => _headers();

    public Status GetStatus() => _status();

    public Metadata GetTrailers() => _trailers();

    public void Dispose() => _call.Dispose();
}

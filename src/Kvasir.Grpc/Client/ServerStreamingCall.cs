namespace Kvasir.Grpc.Client;

/// <summary>A call with one request and a stream of responses. Dispose it to end the call early (the stream is reset).</summary>
public sealed class ServerStreamingCall<TResponse> : IDisposable
{
    private readonly IStreamingCall<TResponse> _call;

    internal ServerStreamingCall(IStreamingCall<TResponse> call)
    {
        _call = call;
        ResponseStream = new ClientResponseStream<TResponse>(call);
    }

    public ClientResponseStream<TResponse> ResponseStream { get; }

    /// <summary>The response headers, once they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync() => _call.ResponseHeadersAsync();

    /// <summary>The status, once the call has finished (else <see cref="InvalidOperationException"/>).</summary>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailers, once the call has finished.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}

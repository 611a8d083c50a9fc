namespace Kvasir.Grpc.Client;

/// <summary>A call with a stream each way (Watch, LeaseKeepAlive). Dispose it to end the call (the stream is reset).</summary>
public sealed class DuplexStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly StreamingCall<TRequest, TResponse> _call;

    internal DuplexStreamingCall(StreamingCall<TRequest, TResponse> call)
    {
        _call = call;
        ResponseStream = new ClientResponseStream<TResponse>(call);
    }

    public ClientRequestStream<TRequest> RequestStream => _call.Requests!;

    public ClientResponseStream<TResponse> ResponseStream { get; }

    public Task<Metadata> ResponseHeadersAsync() => _call.ResponseHeadersAsync();

    public Status GetStatus() => _call.GetStatus();

    public Metadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}

namespace Kvasir.Grpc.Client;

/// <summary>A call with a stream of requests and one response: write, complete the request stream, await the response.
/// Dispose it to abandon the call (the stream is reset).</summary>
public sealed class ClientStreamingCall<TRequest, TResponse> : IDisposable
{
    private readonly StreamingCall<TRequest, TResponse> _call;
    private readonly Lazy<Task<TResponse>> _response;

    internal ClientStreamingCall(StreamingCall<TRequest, TResponse> call)
    {
        _call = call;
        _response = new Lazy<Task<TResponse>>(call.ReadSingleAsync);
    }

    public ClientRequestStream<TRequest> RequestStream => _call.Requests!;

    /// <summary>The response; throws <see cref="RpcException"/> when the call ends with another status.</summary>
    public Task<TResponse> ResponseAsync => _response.Value;

    public Task<Metadata> ResponseHeadersAsync() => _call.ResponseHeadersAsync();

    public Status GetStatus() => _call.GetStatus();

    public Metadata GetTrailers() => _call.GetTrailers();

    public void Dispose() => _call.Dispose();
}

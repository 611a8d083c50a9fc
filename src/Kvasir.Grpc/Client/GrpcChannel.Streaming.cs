namespace Kvasir.Grpc.Client;

/// <summary>Streaming calls. Each returns at once; the request goes out in the background.</summary>
public sealed partial class GrpcChannel
{
    public ServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(request);
        ExpectType(method.FullName, method.Type, MethodType.ServerStreaming);
        var call = new StreamingCall<TRequest, TResponse>(this, method, streamsRequests: false, request, options);
        return new ServerStreamingCall<TResponse>(call);
    }

    public ClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ExpectType(method.FullName, method.Type, MethodType.ClientStreaming);
        var call = new StreamingCall<TRequest, TResponse>(this, method, streamsRequests: true, default, options);
        return new ClientStreamingCall<TRequest, TResponse>(call);
    }

    public DuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        ExpectType(method.FullName, method.Type, MethodType.DuplexStreaming);
        var call = new StreamingCall<TRequest, TResponse>(this, method, streamsRequests: true, default, options);
        return new DuplexStreamingCall<TRequest, TResponse>(call);
    }
}

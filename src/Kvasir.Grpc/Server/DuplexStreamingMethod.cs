namespace Kvasir.Grpc.Server;

/// <summary>A bidi-streaming method: the handler reads requests and writes responses independently.</summary>
internal sealed class DuplexStreamingMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse> handler)
    : ServerMethod(method.FullName, MethodType.DuplexStreaming)
{
    public override async ValueTask InvokeAsync(ServerCallContext context, GrpcServerOptions options)
    {
        var requests = new RequestStream<TRequest>(context, method.RequestMarshaller, options);
        var writer = new ServerStreamWriter<TResponse>(context, method.ResponseMarshaller, options);
        try
        {
            await handler(requests, writer, context).ConfigureAwait(false);
        }
        finally
        {
            await writer.CompleteAsync().ConfigureAwait(false);
        }
    }
}

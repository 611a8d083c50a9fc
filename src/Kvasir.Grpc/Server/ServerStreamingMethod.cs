namespace Kvasir.Grpc.Server;

/// <summary>A server-streaming method: one request, then the handler writes through a stream writer.</summary>
internal sealed class ServerStreamingMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse> handler)
    : ServerMethod(method.FullName, MethodType.ServerStreaming)
{
    public override async ValueTask InvokeAsync(ServerCallContext context, GrpcServerOptions options)
    {
        var request = await ReadSingleAsync(context, method.RequestMarshaller, options).ConfigureAwait(false);
        options.Observer?.StreamMessagesReceived(context.Method, 1);
        var writer = new ServerStreamWriter<TResponse>(context, method.ResponseMarshaller, options);
        try
        {
            await handler(request, writer, context).ConfigureAwait(false);
        }
        finally
        {
            await writer.CompleteAsync().ConfigureAwait(false);
        }
    }
}

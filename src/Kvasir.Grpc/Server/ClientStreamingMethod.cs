using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Server;

/// <summary>A client-streaming method: the handler reads a request stream and returns one response.</summary>
internal sealed class ClientStreamingMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse> handler)
    : ServerMethod(method.FullName, MethodType.ClientStreaming)
{
    public override async ValueTask InvokeAsync(ServerCallContext context, GrpcServerOptions options)
    {
        var requests = new RequestStream<TRequest>(context, method.RequestMarshaller, options);
        var response = await handler(requests, context).ConfigureAwait(false);
        ArgumentNullException.ThrowIfNull(response);
        Frames.Write(context.HttpContext.Response.BodyWriter, method.ResponseMarshaller, response);
        context.BodyWritten = true;
    }
}

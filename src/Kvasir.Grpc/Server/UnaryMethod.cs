using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Server;

/// <summary>A unary method. Completes synchronously when the request is already buffered and the
/// handler answers at once, so the common call costs no async state machine here.</summary>
internal sealed class UnaryMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
    : ServerMethod(method.FullName, MethodType.Unary)
{
    public override ValueTask InvokeAsync(ServerCallContext context, GrpcServerOptions options)
    {
        var read = ReadSingleAsync(context, method.RequestMarshaller, options);
        if (!read.IsCompletedSuccessfully)
        {
            return AfterReadAsync(read, context);
        }

        var answer = handler(read.Result, context);
        if (!answer.IsCompletedSuccessfully)
        {
            return AfterHandlerAsync(answer, context);
        }

        Respond(answer.Result, context);
        return default;
    }

    private async ValueTask AfterReadAsync(ValueTask<TRequest> read, ServerCallContext context)
    {
        var request = await read.ConfigureAwait(false);
        Respond(await handler(request, context).ConfigureAwait(false), context);
    }

    private async ValueTask AfterHandlerAsync(ValueTask<TResponse> answer, ServerCallContext context) =>
        Respond(await answer.ConfigureAwait(false), context);

    private void Respond(TResponse response, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(response);

        // Not flushed: Kestrel sends headers, message and trailers together when the call completes.
        Frames.Write(context.HttpContext.Response.BodyWriter, method.ResponseMarshaller, response);
        context.BodyWritten = true;
    }
}

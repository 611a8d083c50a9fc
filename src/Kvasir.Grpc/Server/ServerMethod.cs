using Kvasir.Grpc.Protocol;

namespace Kvasir.Grpc.Server;

/// <summary>One row of the routing table: a method and its handler, of one of the four shapes.</summary>
internal abstract class ServerMethod(string fullName, MethodType type)
{
    public string FullName { get; } = fullName;

    public MethodType Type { get; } = type;

    /// <summary>Reads the request(s), runs the handler and writes the response message(s); the status is
    /// the caller's. Throws <see cref="RpcException"/> for bad input or a handler's refusal.</summary>
    public abstract ValueTask InvokeAsync(ServerCallContext context, GrpcServerOptions options);

    /// <summary>Reads the one request message of a unary or server-streaming call.</summary>
    protected static ValueTask<T> ReadSingleAsync<T>(ServerCallContext context, Marshaller<T> marshaller, GrpcServerOptions options)
    {
        var read = PipeFrames.ReadAsync(context.HttpContext.Request.BodyReader, marshaller, options.MaxReceiveMessageSize, "request", context.CancellationToken);
        if (read.IsCompletedSuccessfully)
        {
            return new ValueTask<T>(Single(read.Result));
        }

        return Slow(read);

        static async ValueTask<T> Slow(ValueTask<Received<T>> pending) => Single(await pending.ConfigureAwait(false));
    }

    private static T Single<T>(Received<T> received) =>
        received.HasMessage ? received.Message : throw new RpcException(StatusCode.Internal, "grpc: the request stream ended without a message");
}

using Kvasir.Grpc;

namespace Kvasir.Server.Gateway;

/// <summary>
/// One <c>/v3/...</c> path of the gateway and the gRPC method it stands for (<c>/etcdserverpb.KV/Range</c>):
/// the method's name is what etcd's metrics count a gateway call under, since etcd's gateway reaches
/// the member through its own gRPC server.
/// </summary>
internal abstract class GatewayRoute(string grpcMethod, MethodType type)
{
    /// <summary>The gRPC method's path, <c>/package.Service/Method</c>.</summary>
    public string GrpcMethod { get; } = grpcMethod;

    public MethodType Type { get; } = type;

    /// <summary>Answers the request; never throws for a client's mistake (that becomes etcd's error response).</summary>
    public abstract Task HandleAsync(GatewayCall call, JsonGateway gateway);

    /// <summary>
    /// Ends a stream that failed with <paramref name="e"/>: etcd's error chunk when the failure has a
    /// status to tell, nothing when the client went away. Returns the status the call ended with.
    /// </summary>
    protected async Task<Status> FailStreamAsync(Exception e, GatewayCall call, JsonGateway gateway, GatewayStream output)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(output);
        if (call.StatusOf(e) is not { } status)
        {
            return new Status(StatusCode.Cancelled, "context canceled");
        }

        gateway.LogFailure(this, e, status);
        await output.WriteErrorAsync(status).ConfigureAwait(false);
        return status;
    }
}

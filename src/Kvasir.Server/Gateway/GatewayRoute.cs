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
}

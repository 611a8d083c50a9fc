using Kvasir.Api.Errors;
using Kvasir.Grpc;

namespace Kvasir.Server.Member;

/// <summary>The one place an etcd error becomes the gRPC status a handler answers with.</summary>
public static class EtcdErrorExtensions
{
    /// <summary>The status etcd sends for <paramref name="error"/>: its code and its exact text.</summary>
    public static RpcException ToRpcException(this EtcdError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new RpcException((StatusCode)(int)error.Code, error.Message);
    }
}

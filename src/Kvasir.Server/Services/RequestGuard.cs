using Kvasir.Api.Errors;
using Kvasir.Grpc.Server;
using Kvasir.Server.Member;

namespace Kvasir.Server.Services;

/// <summary>
/// The checks etcd's interceptors make on every call before its handler runs. Every service of the
/// member (the watch and lease services too) calls <see cref="Check"/> first.
/// </summary>
public static class RequestGuard
{
    /// <summary>gRPC metadata a client sends to require a leader (etcd's rpctypes.MetadataRequireLeaderKey).</summary>
    public const string RequireLeaderKey = "hasleader";

    /// <summary>
    /// Throws <c>etcdserver: no leader</c> (Unavailable) when the client sent <c>hasleader: true</c>
    /// and this member knows no leader.
    /// </summary>
    public static void Check(ServerCallContext context, IMemberState member)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(member);
        if (member.LeaderId == 0 && context.GetMetadata(RequireLeaderKey) == "true")
        {
            throw EtcdErrors.NoLeader.ToRpcException();
        }
    }
}

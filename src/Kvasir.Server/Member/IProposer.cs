using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Server.Member;

/// <summary>
/// Proposes a request through Raft and completes when the applier has applied it. The proposer
/// sets the request's id (<c>Header.ID</c>); the caller fills the rest.
/// </summary>
public interface IProposer
{
    /// <summary>
    /// Proposes <paramref name="request"/> and returns what applying it produced. Throws
    /// <c>Kvasir.Grpc.RpcException</c> with etcd's code and text when the request never applied:
    /// <c>request timed out</c>, <c>no leader</c>, <c>too many requests</c>, <c>server stopped</c>,
    /// <c>request is too large</c>; <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires first (the request may still apply).
    /// </summary>
    Task<AppliedResult> ProposeAsync(InternalRaftRequest request, CancellationToken cancellationToken);
}

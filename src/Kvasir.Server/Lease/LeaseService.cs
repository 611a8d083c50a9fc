using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Server;
using Kvasir.Server.Member;

namespace Kvasir.Server.Lease;

/// <summary>
/// etcd's Lease gRPC service (v3rpc's LeaseServer plus the lease half of etcdserver's v3_server.go).
/// Grant and Revoke go through Raft; KeepAlive and TimeToLive are answered by the leader's lessor; Leases
/// by the local lessor. Responses carry this member's header, with the revision the entry applied at
/// (Grant, Revoke) or the store's revision now (the rest), as etcd fills them.
/// </summary>
public sealed partial class LeaseService
{
    private readonly Lessor _lessor;
    private readonly IProposer _proposer;
    private readonly IMemberState _member;

    public LeaseService(Lessor lessor, IProposer proposer, IMemberState member)
    {
        ArgumentNullException.ThrowIfNull(lessor);
        ArgumentNullException.ThrowIfNull(proposer);
        ArgumentNullException.ThrowIfNull(member);
        _lessor = lessor;
        _proposer = proposer;
        _member = member;
    }

    /// <summary>Routes the five Lease methods to this service.</summary>
    public void Register(GrpcRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        router.AddUnary(LeaseMethods.Grant, GrantAsync);
        router.AddUnary(LeaseMethods.Revoke, RevokeAsync);
        router.AddDuplexStreaming(LeaseMethods.KeepAlive, KeepAliveAsync);
        router.AddUnary(LeaseMethods.TimeToLive, TimeToLiveAsync);
        router.AddUnary(LeaseMethods.Leases, LeasesAsync);
    }

    /// <summary>
    /// Grants a lease through Raft. Id 0 asks the server to choose: a random positive id no live lease has,
    /// chosen before proposing so that every member applies the same one. TTL above 9,000,000,000 s gives
    /// OutOfRange <c>too large lease TTL</c> (answered without Raft: the entry would change nothing); a live
    /// id gives FailedPrecondition <c>lease already exists</c>; a TTL below the minimum is raised to it.
    /// </summary>
    public ValueTask<LeaseGrantResponse> GrantAsync(LeaseGrantRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        RequireLeaderIfAsked(context);
        return GrantAsync(request, context.CancellationToken);
    }

    /// <summary>The same as the gRPC method, for callers outside gRPC (the JSON gateway), which check <c>hasleader</c> themselves.</summary>
    public async ValueTask<LeaseGrantResponse> GrantAsync(LeaseGrantRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.TTL > Lessor.MaxLeaseTtl)
        {
            throw Fail(EtcdErrors.LeaseTtlTooLarge);
        }

        var grant = new LeaseGrantRequest { TTL = request.TTL, ID = request.ID != 0 ? request.ID : _lessor.NewLeaseId() };
        var result = await _proposer.ProposeAsync(new InternalRaftRequest { LeaseGrant = grant }, cancellationToken).ConfigureAwait(false);
        var response = Unwrap<LeaseGrantResponse>(result);
        response.Header = Header(response.Header);
        return response;
    }

    /// <summary>Revokes a lease through Raft, deleting its keys in one revision; unknown id gives NotFound <c>requested lease not found</c>.</summary>
    public ValueTask<LeaseRevokeResponse> RevokeAsync(LeaseRevokeRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        RequireLeaderIfAsked(context);
        return RevokeAsync(request, context.CancellationToken);
    }

    /// <summary>The same as the gRPC method, for callers outside gRPC (the JSON gateway).</summary>
    public async ValueTask<LeaseRevokeResponse> RevokeAsync(LeaseRevokeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var revoke = new LeaseRevokeRequest { ID = request.ID };
        var result = await _proposer.ProposeAsync(new InternalRaftRequest { LeaseRevoke = revoke }, cancellationToken).ConfigureAwait(false);
        var response = Unwrap<LeaseRevokeResponse>(result);
        response.Header = Header(response.Header);
        return response;
    }

    /// <summary>
    /// The remaining TTL (truncated seconds), granted TTL and, when asked, the keys of a lease, from the
    /// leader's lessor; an unknown lease answers TTL -1 with no error, as etcd does.
    /// </summary>
    public ValueTask<LeaseTimeToLiveResponse> TimeToLiveAsync(LeaseTimeToLiveRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        RequireLeaderIfAsked(context);
        return new ValueTask<LeaseTimeToLiveResponse>(TimeToLive(request));
    }

    /// <summary>The same as the gRPC method, for callers outside gRPC (the JSON gateway).</summary>
    public LeaseTimeToLiveResponse TimeToLive(LeaseTimeToLiveRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfNotLeader();
        var response = _lessor.TimeToLive(request.ID, request.Keys) ?? new LeaseTimeToLiveResponse { ID = request.ID, TTL = -1 };
        response.Header = Header(null);
        return response;
    }

    /// <summary>Every lease id this member holds (etcd serves it locally, on any member).</summary>
    public ValueTask<LeaseLeasesResponse> LeasesAsync(LeaseLeasesRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        RequireLeaderIfAsked(context);
        return new ValueTask<LeaseLeasesResponse>(Leases(request));
    }

    /// <summary>The same as the gRPC method, for callers outside gRPC (the JSON gateway).</summary>
    public LeaseLeasesResponse Leases(LeaseLeasesRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new LeaseLeasesResponse { Header = Header(null) };
        foreach (var id in _lessor.Leases())
        {
            response.Leases.Add(new LeaseStatus { ID = id });
        }

        return response;
    }

    internal static RpcException Fail(EtcdError error) => new((StatusCode)(int)error.Code, error.Message);

    private static T Unwrap<T>(AppliedResult result)
        where T : class
    {
        if (result.Error is { } error)
        {
            throw Fail(error);
        }

        return result.Response as T ?? throw new InvalidOperationException($"the applier answered {result.Response?.GetType().Name ?? "nothing"} where {typeof(T).Name} was due");
    }

    /// <summary>This member's header; the revision the apply set, else the store's revision now (etcd's header.fill).</summary>
    private ResponseHeader Header(ResponseHeader? applied)
    {
        var revision = applied?.Revision ?? 0;
        return _member.Header(revision != 0 ? revision : _lessor.CurrentRevision);
    }

    /// <summary>etcd's <c>hasleader</c> metadata: the client wants <c>no leader</c> rather than a wait when there is none.</summary>
    private void RequireLeaderIfAsked(ServerCallContext context)
    {
        if (_member.LeaderId == 0 && string.Equals(context.GetMetadata("hasleader"), "true", StringComparison.Ordinal))
        {
            throw Fail(EtcdErrors.NoLeader);
        }
    }

    /// <summary>
    /// KeepAlive and TimeToLive are the leader's to answer. etcd's followers forward them to the leader over
    /// the peer port; Kvasir has no such forwarding yet, so a follower answers <c>no leader</c> while there
    /// is none and <c>not leader</c> otherwise (clients retry another endpoint).
    /// </summary>
    private void ThrowIfNotLeader()
    {
        if (!_lessor.IsPrimary)
        {
            throw Fail(_member.LeaderId == 0 ? EtcdErrors.NoLeader : EtcdErrors.NotLeader);
        }
    }
}

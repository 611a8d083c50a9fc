using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Server;
using Kvasir.Server.Member;

namespace Kvasir.Server.Services;

/// <summary>
/// etcd's Cluster service, as a single-member cluster can answer it: MemberList lists the member
/// (its name and client URLs from this start's flags, as etcd publishes them); requests about a
/// member that does not exist get etcd's errors; changes the single member cannot make yet (adding
/// members, removing or updating itself) are refused with a clear Unimplemented status rather than
/// pretended.
/// </summary>
public sealed class ClusterService(MemberServer member)
{
    private const string NotYet = "kvasir: membership changes are not supported yet; this member runs a single-member cluster";

    public void Register(GrpcRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        router.AddUnary(EtcdMethods.MemberList, (r, c) => Guard(c, () => MemberList(r)));
        router.AddUnary(EtcdMethods.MemberAdd, (r, c) => Guard(c, () => MemberAdd(r)));
        router.AddUnary(EtcdMethods.MemberRemove, (r, c) => Guard(c, () => MemberRemove(r)));
        router.AddUnary(EtcdMethods.MemberUpdate, (r, c) => Guard(c, () => MemberUpdate(r)));
        router.AddUnary(EtcdMethods.MemberPromote, (r, c) => Guard(c, () => MemberPromote(r)));
    }

    // The gRPC handlers: the interceptor's checks, then the method.
    private ValueTask<T> Guard<T>(ServerCallContext context, Func<T> call)
    {
        RequestGuard.Check(context, member);
        return new ValueTask<T>(call());
    }

    public MemberListResponse MemberList(MemberListRequest request)
    {
        var response = new MemberListResponse { Header = ClusterHeader() };
        response.Members.AddRange(Members());
        return response;
    }

    public MemberAddResponse MemberAdd(MemberAddRequest request)
    {
        foreach (var url in request.PeerURLs)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https") || parsed.Host.Length == 0 || parsed.IsDefaultPort)
            {
                throw EtcdErrors.MemberBadUrls.ToRpcException();
            }
        }

        foreach (var existing in member.Members.List())
        {
            foreach (var url in request.PeerURLs)
            {
                if (existing.PeerUrls.Contains(url))
                {
                    throw EtcdErrors.PeerUrlExist.ToRpcException();
                }
            }
        }

        throw new RpcException(StatusCode.Unimplemented, NotYet);
    }

    public MemberRemoveResponse MemberRemove(MemberRemoveRequest request)
    {
        _ = Existing(request.ID);

        // Removing the only voter would leave no quorum: etcd's strict reconfiguration check refuses it too.
        throw EtcdErrors.MemberNotEnoughStarted.ToRpcException();
    }

    public MemberUpdateResponse MemberUpdate(MemberUpdateRequest request)
    {
        _ = Existing(request.ID);
        throw new RpcException(StatusCode.Unimplemented, NotYet);
    }

    public MemberPromoteResponse MemberPromote(MemberPromoteRequest request)
    {
        var target = Existing(request.ID);
        throw (target.IsLearner ? EtcdErrors.LearnerNotReady : EtcdErrors.MemberNotLearner).ToRpcException();
    }

    private MemberRecord Existing(ulong id) => member.Members.Get(id) ?? throw EtcdErrors.MemberNotFound.ToRpcException();

    private List<Api.Etcdserverpb.Member> Members()
    {
        var list = new List<Api.Etcdserverpb.Member>();
        foreach (var m in member.Members.List())
        {
            var pb = new Api.Etcdserverpb.Member { ID = m.Id, Name = m.Name, IsLearner = m.IsLearner };
            pb.PeerURLs.AddRange(m.PeerUrls);
            if (m.Id == member.MemberId)
            {
                // This member's attributes as this start publishes them.
                pb.Name = member.Name;
                pb.ClientURLs.AddRange(member.Config.AdvertiseClientUrls.Select(MemberIds.UrlText));
            }
            else
            {
                pb.ClientURLs.AddRange(m.ClientUrls);
            }

            list.Add(pb);
        }

        return list;
    }

    // etcd's cluster server header: no revision.
    private ResponseHeader ClusterHeader() => new() { ClusterId = member.ClusterId, MemberId = member.MemberId, RaftTerm = member.Term };
}

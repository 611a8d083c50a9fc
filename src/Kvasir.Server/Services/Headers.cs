using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Member;

namespace Kvasir.Server.Services;

/// <summary>etcd's header.fill: cluster id, member id and Raft term; the store's revision when the response has none.</summary>
public static class Headers
{
    public static T Fill<T>(T response, ResponseHeader header, MemberServer member)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(member);
        header.ClusterId = member.ClusterId;
        header.MemberId = member.MemberId;
        header.RaftTerm = member.Term;
        if (header.Revision == 0)
        {
            header.Revision = member.Store.CurrentRevision;
        }

        return response;
    }
}

using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Server.Member;

/// <summary>Tells which request an InternalRaftRequest carries, in etcd's order of precedence.</summary>
internal static class RequestKinds
{
    public static RequestKind RequestCase(this InternalRaftRequest r)
    {
        if (r.Put is not null)
        {
            return RequestKind.Put;
        }

        if (r.Range is not null)
        {
            return RequestKind.Range;
        }

        if (r.DeleteRange is not null)
        {
            return RequestKind.DeleteRange;
        }

        if (r.Txn is not null)
        {
            return RequestKind.Txn;
        }

        if (r.Compaction is not null)
        {
            return RequestKind.Compaction;
        }

        if (r.LeaseGrant is not null)
        {
            return RequestKind.LeaseGrant;
        }

        if (r.LeaseRevoke is not null)
        {
            return RequestKind.LeaseRevoke;
        }

        if (r.LeaseCheckpoint is not null)
        {
            return RequestKind.LeaseCheckpoint;
        }

        if (r.Alarm is not null)
        {
            return RequestKind.Alarm;
        }

        if (r.ClusterVersionSet is not null || r.ClusterMemberAttrSet is not null || r.DowngradeInfoSet is not null)
        {
            return RequestKind.ClusterMeta;
        }

        if (r.AuthEnable is not null || r.AuthDisable is not null || r.AuthStatus is not null || r.Authenticate is not null
            || r.AuthUserAdd is not null || r.AuthUserDelete is not null || r.AuthUserGet is not null || r.AuthUserChangePassword is not null
            || r.AuthUserGrantRole is not null || r.AuthUserRevokeRole is not null || r.AuthUserList is not null || r.AuthRoleList is not null
            || r.AuthRoleAdd is not null || r.AuthRoleDelete is not null || r.AuthRoleGet is not null || r.AuthRoleGrantPermission is not null
            || r.AuthRoleRevokePermission is not null)
        {
            return RequestKind.Auth;
        }

        return RequestKind.None;
    }
}

using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Api.V3electionpb;
using Kvasir.Api.V3lockpb;
using Kvasir.Grpc;
using Kvasir.Server.Lease;
using Kvasir.Server.Services;

namespace Kvasir.Server.Gateway;

/// <summary>
/// The paths of etcd 3.4's gateway (its rpc.proto's <c>google.api.http</c> annotations) and what
/// answers each. Where etcd maps two methods to one path, the first registered wins, as in
/// grpc-gateway v1: <c>/v3/maintenance/hash</c> is Hash, not HashKV. Kvasir adds
/// <c>/v3/maintenance/hashkv</c> (etcd 3.5's path for HashKV). Services the member does not serve
/// yet (Auth, Lock, Election) answer as a gRPC server without them does: Unimplemented.
/// </summary>
internal static class GatewayRoutes
{
    public static Dictionary<string, GatewayRoute> Build(GatewayServices s)
    {
        var routes = new Dictionary<string, GatewayRoute>(StringComparer.Ordinal);
        var kv = s.Kv;
        Unary(routes, "/v3/kv/range", EtcdMethods.Range, kv.RangeAsync);
        Unary(routes, "/v3/kv/put", EtcdMethods.Put, kv.PutAsync);
        Unary(routes, "/v3/kv/deleterange", EtcdMethods.DeleteRange, kv.DeleteRangeAsync);
        Unary(routes, "/v3/kv/txn", EtcdMethods.Txn, kv.TxnAsync);
        Unary(routes, "/v3/kv/compaction", EtcdMethods.Compact, kv.CompactAsync);

        if (s.Watch is { } hub)
        {
            routes["/v3/watch"] = new WatchRoute(hub);
        }
        else
        {
            Unserved<WatchRequest>(routes, "/v3/watch", "etcdserverpb.Watch", streaming: true);
        }

        if (s.Lease is { } lease)
        {
            Unary(routes, "/v3/lease/grant", LeaseMethods.Grant, lease.GrantAsync);
            Unary(routes, "/v3/lease/revoke", LeaseMethods.Revoke, lease.RevokeAsync);
            Unary(routes, "/v3/kv/lease/revoke", LeaseMethods.Revoke, lease.RevokeAsync);
            routes["/v3/lease/keepalive"] = new KeepAliveRoute(lease);
            Unary<LeaseTimeToLiveRequest, LeaseTimeToLiveResponse>(routes, "/v3/lease/timetolive", LeaseMethods.TimeToLive, (r, _) => new(lease.TimeToLive(r)));
            Unary<LeaseTimeToLiveRequest, LeaseTimeToLiveResponse>(routes, "/v3/kv/lease/timetolive", LeaseMethods.TimeToLive, (r, _) => new(lease.TimeToLive(r)));
            Unary<LeaseLeasesRequest, LeaseLeasesResponse>(routes, "/v3/lease/leases", LeaseMethods.Leases, (r, _) => new(lease.Leases(r)));
            Unary<LeaseLeasesRequest, LeaseLeasesResponse>(routes, "/v3/kv/lease/leases", LeaseMethods.Leases, (r, _) => new(lease.Leases(r)));
        }
        else
        {
            Unserved<LeaseGrantRequest>(routes, "/v3/lease/grant", "etcdserverpb.Lease");
            Unserved<LeaseRevokeRequest>(routes, "/v3/lease/revoke", "etcdserverpb.Lease");
            Unserved<LeaseRevokeRequest>(routes, "/v3/kv/lease/revoke", "etcdserverpb.Lease");
            Unserved<LeaseKeepAliveRequest>(routes, "/v3/lease/keepalive", "etcdserverpb.Lease", streaming: true);
            Unserved<LeaseTimeToLiveRequest>(routes, "/v3/lease/timetolive", "etcdserverpb.Lease");
            Unserved<LeaseTimeToLiveRequest>(routes, "/v3/kv/lease/timetolive", "etcdserverpb.Lease");
            Unserved<LeaseLeasesRequest>(routes, "/v3/lease/leases", "etcdserverpb.Lease");
            Unserved<LeaseLeasesRequest>(routes, "/v3/kv/lease/leases", "etcdserverpb.Lease");
        }

        var cluster = s.Cluster;
        Unary<MemberAddRequest, MemberAddResponse>(routes, "/v3/cluster/member/add", EtcdMethods.MemberAdd, (r, _) => new(cluster.MemberAdd(r)));
        Unary<MemberRemoveRequest, MemberRemoveResponse>(routes, "/v3/cluster/member/remove", EtcdMethods.MemberRemove, (r, _) => new(cluster.MemberRemove(r)));
        Unary<MemberUpdateRequest, MemberUpdateResponse>(routes, "/v3/cluster/member/update", EtcdMethods.MemberUpdate, (r, _) => new(cluster.MemberUpdate(r)));
        Unary<MemberListRequest, MemberListResponse>(routes, "/v3/cluster/member/list", EtcdMethods.MemberList, (r, _) => new(cluster.MemberList(r)));
        Unary<MemberPromoteRequest, MemberPromoteResponse>(routes, "/v3/cluster/member/promote", EtcdMethods.MemberPromote, (r, _) => new(cluster.MemberPromote(r)));

        var maintenance = s.Maintenance;
        Unary<AlarmRequest, AlarmResponse>(routes, "/v3/maintenance/alarm", EtcdMethods.Alarm, (r, ct) => new(maintenance.AlarmAsync(r, ct)));
        Unary<StatusRequest, StatusResponse>(routes, "/v3/maintenance/status", EtcdMethods.Status, (r, _) => new(maintenance.Status(r)));
        Unary<DefragmentRequest, DefragmentResponse>(routes, "/v3/maintenance/defragment", EtcdMethods.Defragment, (r, ct) => new(maintenance.DefragmentAsync(r, ct)));
        Unary<HashRequest, HashResponse>(routes, "/v3/maintenance/hash", EtcdMethods.Hash, (r, _) => new(maintenance.Hash(r)));
        Unary<HashKVRequest, HashKVResponse>(routes, "/v3/maintenance/hashkv", EtcdMethods.HashKV, (r, _) => new(maintenance.HashKV(r)));
        routes["/v3/maintenance/snapshot"] = new SnapshotRoute(maintenance);
        Unary<MoveLeaderRequest, MoveLeaderResponse>(routes, "/v3/maintenance/transfer-leadership", EtcdMethods.MoveLeader, (r, _) => new(maintenance.MoveLeader(r)));

        // Not served by this member yet: answered as gRPC answers an unknown service.
        Unserved<AuthEnableRequest>(routes, "/v3/auth/enable", "etcdserverpb.Auth");
        Unserved<AuthDisableRequest>(routes, "/v3/auth/disable", "etcdserverpb.Auth");
        Unserved<AuthenticateRequest>(routes, "/v3/auth/authenticate", "etcdserverpb.Auth");
        Unserved<AuthUserAddRequest>(routes, "/v3/auth/user/add", "etcdserverpb.Auth");
        Unserved<AuthUserGetRequest>(routes, "/v3/auth/user/get", "etcdserverpb.Auth");
        Unserved<AuthUserListRequest>(routes, "/v3/auth/user/list", "etcdserverpb.Auth");
        Unserved<AuthUserDeleteRequest>(routes, "/v3/auth/user/delete", "etcdserverpb.Auth");
        Unserved<AuthUserChangePasswordRequest>(routes, "/v3/auth/user/changepw", "etcdserverpb.Auth");
        Unserved<AuthUserGrantRoleRequest>(routes, "/v3/auth/user/grant", "etcdserverpb.Auth");
        Unserved<AuthUserRevokeRoleRequest>(routes, "/v3/auth/user/revoke", "etcdserverpb.Auth");
        Unserved<AuthRoleAddRequest>(routes, "/v3/auth/role/add", "etcdserverpb.Auth");
        Unserved<AuthRoleGetRequest>(routes, "/v3/auth/role/get", "etcdserverpb.Auth");
        Unserved<AuthRoleListRequest>(routes, "/v3/auth/role/list", "etcdserverpb.Auth");
        Unserved<AuthRoleDeleteRequest>(routes, "/v3/auth/role/delete", "etcdserverpb.Auth");
        Unserved<AuthRoleGrantPermissionRequest>(routes, "/v3/auth/role/grant", "etcdserverpb.Auth");
        Unserved<AuthRoleRevokePermissionRequest>(routes, "/v3/auth/role/revoke", "etcdserverpb.Auth");
        Unserved<LockRequest>(routes, "/v3/lock/lock", "v3lockpb.Lock");
        Unserved<UnlockRequest>(routes, "/v3/lock/unlock", "v3lockpb.Lock");
        Unserved<CampaignRequest>(routes, "/v3/election/campaign", "v3electionpb.Election");
        Unserved<ProclaimRequest>(routes, "/v3/election/proclaim", "v3electionpb.Election");
        Unserved<LeaderRequest>(routes, "/v3/election/leader", "v3electionpb.Election");
        Unserved<LeaderRequest>(routes, "/v3/election/observe", "v3electionpb.Election", streaming: true);
        Unserved<ResignRequest>(routes, "/v3/election/resign", "v3electionpb.Election");
        return routes;
    }

    private static void Unary<TRequest, TResponse>(Dictionary<string, GatewayRoute> routes, string path, Method<TRequest, TResponse> method, Func<TRequest, CancellationToken, ValueTask<TResponse>> handler)
        where TRequest : class, IMessage, new()
        where TResponse : class, IMessage =>
        routes[path] = new UnaryRoute<TRequest, TResponse>(method.FullName, handler);

    private static void Unary<TRequest, TResponse>(Dictionary<string, GatewayRoute> routes, string path, Method<TRequest, TResponse> method, Func<TRequest, CancellationToken, Task<TResponse>> handler)
        where TRequest : class, IMessage, new()
        where TResponse : class, IMessage =>
        routes[path] = new UnaryRoute<TRequest, TResponse>(method.FullName, (r, ct) => new ValueTask<TResponse>(handler(r, ct)));

    private static void Unserved<TRequest>(Dictionary<string, GatewayRoute> routes, string path, string service, bool streaming = false)
        where TRequest : class, IMessage, new() =>
        routes[path] = new UnservedRoute<TRequest>(service, streaming);
}

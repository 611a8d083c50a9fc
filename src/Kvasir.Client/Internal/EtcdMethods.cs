using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;

namespace Kvasir.Client.Internal;

/// <summary>Every etcd v3 method the client calls, described once: service, name, shape and messages.</summary>
internal static class EtcdMethods
{
    private const string KvService = "etcdserverpb.KV";
    private const string WatchService = "etcdserverpb.Watch";
    private const string LeaseService = "etcdserverpb.Lease";
    private const string ClusterService = "etcdserverpb.Cluster";
    private const string MaintenanceService = "etcdserverpb.Maintenance";
    private const string AuthService = "etcdserverpb.Auth";

    public static readonly Method<RangeRequest, RangeResponse> Range = Unary(KvService, "Range", RangeRequest.Parser, RangeResponse.Parser);
    public static readonly Method<PutRequest, PutResponse> Put = Unary(KvService, "Put", PutRequest.Parser, PutResponse.Parser);
    public static readonly Method<DeleteRangeRequest, DeleteRangeResponse> DeleteRange = Unary(KvService, "DeleteRange", DeleteRangeRequest.Parser, DeleteRangeResponse.Parser);
    public static readonly Method<TxnRequest, TxnResponse> Txn = Unary(KvService, "Txn", TxnRequest.Parser, TxnResponse.Parser);
    public static readonly Method<CompactionRequest, CompactionResponse> Compact = Unary(KvService, "Compact", CompactionRequest.Parser, CompactionResponse.Parser);

    public static readonly Method<WatchRequest, WatchResponse> Watch = Method.Create(MethodType.DuplexStreaming, WatchService, "Watch", WatchRequest.Parser, WatchResponse.Parser);

    public static readonly Method<LeaseGrantRequest, LeaseGrantResponse> LeaseGrant = Unary(LeaseService, "LeaseGrant", LeaseGrantRequest.Parser, LeaseGrantResponse.Parser);
    public static readonly Method<LeaseRevokeRequest, LeaseRevokeResponse> LeaseRevoke = Unary(LeaseService, "LeaseRevoke", LeaseRevokeRequest.Parser, LeaseRevokeResponse.Parser);
    public static readonly Method<LeaseKeepAliveRequest, LeaseKeepAliveResponse> LeaseKeepAlive = Method.Create(MethodType.DuplexStreaming, LeaseService, "LeaseKeepAlive", LeaseKeepAliveRequest.Parser, LeaseKeepAliveResponse.Parser);
    public static readonly Method<LeaseTimeToLiveRequest, LeaseTimeToLiveResponse> LeaseTimeToLive = Unary(LeaseService, "LeaseTimeToLive", LeaseTimeToLiveRequest.Parser, LeaseTimeToLiveResponse.Parser);
    public static readonly Method<LeaseLeasesRequest, LeaseLeasesResponse> LeaseLeases = Unary(LeaseService, "LeaseLeases", LeaseLeasesRequest.Parser, LeaseLeasesResponse.Parser);

    public static readonly Method<MemberAddRequest, MemberAddResponse> MemberAdd = Unary(ClusterService, "MemberAdd", MemberAddRequest.Parser, MemberAddResponse.Parser);
    public static readonly Method<MemberRemoveRequest, MemberRemoveResponse> MemberRemove = Unary(ClusterService, "MemberRemove", MemberRemoveRequest.Parser, MemberRemoveResponse.Parser);
    public static readonly Method<MemberUpdateRequest, MemberUpdateResponse> MemberUpdate = Unary(ClusterService, "MemberUpdate", MemberUpdateRequest.Parser, MemberUpdateResponse.Parser);
    public static readonly Method<MemberListRequest, MemberListResponse> MemberList = Unary(ClusterService, "MemberList", MemberListRequest.Parser, MemberListResponse.Parser);
    public static readonly Method<MemberPromoteRequest, MemberPromoteResponse> MemberPromote = Unary(ClusterService, "MemberPromote", MemberPromoteRequest.Parser, MemberPromoteResponse.Parser);

    public static readonly Method<AlarmRequest, AlarmResponse> Alarm = Unary(MaintenanceService, "Alarm", AlarmRequest.Parser, AlarmResponse.Parser);
    public static readonly Method<StatusRequest, StatusResponse> Status = Unary(MaintenanceService, "Status", StatusRequest.Parser, StatusResponse.Parser);
    public static readonly Method<DefragmentRequest, DefragmentResponse> Defragment = Unary(MaintenanceService, "Defragment", DefragmentRequest.Parser, DefragmentResponse.Parser);
    public static readonly Method<HashRequest, HashResponse> Hash = Unary(MaintenanceService, "Hash", HashRequest.Parser, HashResponse.Parser);
    public static readonly Method<HashKVRequest, HashKVResponse> HashKv = Unary(MaintenanceService, "HashKV", HashKVRequest.Parser, HashKVResponse.Parser);
    public static readonly Method<SnapshotRequest, SnapshotResponse> Snapshot = Method.Create(MethodType.ServerStreaming, MaintenanceService, "Snapshot", SnapshotRequest.Parser, SnapshotResponse.Parser);
    public static readonly Method<MoveLeaderRequest, MoveLeaderResponse> MoveLeader = Unary(MaintenanceService, "MoveLeader", MoveLeaderRequest.Parser, MoveLeaderResponse.Parser);

    public static readonly Method<AuthEnableRequest, AuthEnableResponse> AuthEnable = Unary(AuthService, "AuthEnable", AuthEnableRequest.Parser, AuthEnableResponse.Parser);
    public static readonly Method<AuthDisableRequest, AuthDisableResponse> AuthDisable = Unary(AuthService, "AuthDisable", AuthDisableRequest.Parser, AuthDisableResponse.Parser);
    public static readonly Method<AuthenticateRequest, AuthenticateResponse> Authenticate = Unary(AuthService, "Authenticate", AuthenticateRequest.Parser, AuthenticateResponse.Parser);
    public static readonly Method<AuthUserAddRequest, AuthUserAddResponse> UserAdd = Unary(AuthService, "UserAdd", AuthUserAddRequest.Parser, AuthUserAddResponse.Parser);
    public static readonly Method<AuthUserGetRequest, AuthUserGetResponse> UserGet = Unary(AuthService, "UserGet", AuthUserGetRequest.Parser, AuthUserGetResponse.Parser);
    public static readonly Method<AuthUserListRequest, AuthUserListResponse> UserList = Unary(AuthService, "UserList", AuthUserListRequest.Parser, AuthUserListResponse.Parser);
    public static readonly Method<AuthUserDeleteRequest, AuthUserDeleteResponse> UserDelete = Unary(AuthService, "UserDelete", AuthUserDeleteRequest.Parser, AuthUserDeleteResponse.Parser);
    public static readonly Method<AuthUserChangePasswordRequest, AuthUserChangePasswordResponse> UserChangePassword = Unary(AuthService, "UserChangePassword", AuthUserChangePasswordRequest.Parser, AuthUserChangePasswordResponse.Parser);
    public static readonly Method<AuthUserGrantRoleRequest, AuthUserGrantRoleResponse> UserGrantRole = Unary(AuthService, "UserGrantRole", AuthUserGrantRoleRequest.Parser, AuthUserGrantRoleResponse.Parser);
    public static readonly Method<AuthUserRevokeRoleRequest, AuthUserRevokeRoleResponse> UserRevokeRole = Unary(AuthService, "UserRevokeRole", AuthUserRevokeRoleRequest.Parser, AuthUserRevokeRoleResponse.Parser);
    public static readonly Method<AuthRoleAddRequest, AuthRoleAddResponse> RoleAdd = Unary(AuthService, "RoleAdd", AuthRoleAddRequest.Parser, AuthRoleAddResponse.Parser);
    public static readonly Method<AuthRoleGetRequest, AuthRoleGetResponse> RoleGet = Unary(AuthService, "RoleGet", AuthRoleGetRequest.Parser, AuthRoleGetResponse.Parser);
    public static readonly Method<AuthRoleListRequest, AuthRoleListResponse> RoleList = Unary(AuthService, "RoleList", AuthRoleListRequest.Parser, AuthRoleListResponse.Parser);
    public static readonly Method<AuthRoleDeleteRequest, AuthRoleDeleteResponse> RoleDelete = Unary(AuthService, "RoleDelete", AuthRoleDeleteRequest.Parser, AuthRoleDeleteResponse.Parser);
    public static readonly Method<AuthRoleGrantPermissionRequest, AuthRoleGrantPermissionResponse> RoleGrantPermission = Unary(AuthService, "RoleGrantPermission", AuthRoleGrantPermissionRequest.Parser, AuthRoleGrantPermissionResponse.Parser);
    public static readonly Method<AuthRoleRevokePermissionRequest, AuthRoleRevokePermissionResponse> RoleRevokePermission = Unary(AuthService, "RoleRevokePermission", AuthRoleRevokePermissionRequest.Parser, AuthRoleRevokePermissionResponse.Parser);

    private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string service, string name, MessageParser<TRequest> request, MessageParser<TResponse> response)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse> =>
        Method.Create(MethodType.Unary, service, name, request, response);
}

using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;

namespace Kvasir.Server.Services;

/// <summary>etcd's KV, Maintenance and Cluster methods, described once for the server's routes and for clients and tests.</summary>
public static class EtcdMethods
{
    private const string Kv = "etcdserverpb.KV";
    private const string Maintenance = "etcdserverpb.Maintenance";
    private const string Cluster = "etcdserverpb.Cluster";

    public static readonly Method<RangeRequest, RangeResponse> Range = Method.Create(MethodType.Unary, Kv, "Range", RangeRequest.Parser, RangeResponse.Parser);
    public static readonly Method<PutRequest, PutResponse> Put = Method.Create(MethodType.Unary, Kv, "Put", PutRequest.Parser, PutResponse.Parser);
    public static readonly Method<DeleteRangeRequest, DeleteRangeResponse> DeleteRange = Method.Create(MethodType.Unary, Kv, "DeleteRange", DeleteRangeRequest.Parser, DeleteRangeResponse.Parser);
    public static readonly Method<TxnRequest, TxnResponse> Txn = Method.Create(MethodType.Unary, Kv, "Txn", TxnRequest.Parser, TxnResponse.Parser);
    public static readonly Method<CompactionRequest, CompactionResponse> Compact = Method.Create(MethodType.Unary, Kv, "Compact", CompactionRequest.Parser, CompactionResponse.Parser);

    public static readonly Method<AlarmRequest, AlarmResponse> Alarm = Method.Create(MethodType.Unary, Maintenance, "Alarm", AlarmRequest.Parser, AlarmResponse.Parser);
    public static readonly Method<StatusRequest, StatusResponse> Status = Method.Create(MethodType.Unary, Maintenance, "Status", StatusRequest.Parser, StatusResponse.Parser);
    public static readonly Method<DefragmentRequest, DefragmentResponse> Defragment = Method.Create(MethodType.Unary, Maintenance, "Defragment", DefragmentRequest.Parser, DefragmentResponse.Parser);
    public static readonly Method<HashRequest, HashResponse> Hash = Method.Create(MethodType.Unary, Maintenance, "Hash", HashRequest.Parser, HashResponse.Parser);
    public static readonly Method<HashKVRequest, HashKVResponse> HashKV = Method.Create(MethodType.Unary, Maintenance, "HashKV", HashKVRequest.Parser, HashKVResponse.Parser);
    public static readonly Method<SnapshotRequest, SnapshotResponse> Snapshot = Method.Create(MethodType.ServerStreaming, Maintenance, "Snapshot", SnapshotRequest.Parser, SnapshotResponse.Parser);
    public static readonly Method<MoveLeaderRequest, MoveLeaderResponse> MoveLeader = Method.Create(MethodType.Unary, Maintenance, "MoveLeader", MoveLeaderRequest.Parser, MoveLeaderResponse.Parser);

    public static readonly Method<MemberAddRequest, MemberAddResponse> MemberAdd = Method.Create(MethodType.Unary, Cluster, "MemberAdd", MemberAddRequest.Parser, MemberAddResponse.Parser);
    public static readonly Method<MemberRemoveRequest, MemberRemoveResponse> MemberRemove = Method.Create(MethodType.Unary, Cluster, "MemberRemove", MemberRemoveRequest.Parser, MemberRemoveResponse.Parser);
    public static readonly Method<MemberUpdateRequest, MemberUpdateResponse> MemberUpdate = Method.Create(MethodType.Unary, Cluster, "MemberUpdate", MemberUpdateRequest.Parser, MemberUpdateResponse.Parser);
    public static readonly Method<MemberListRequest, MemberListResponse> MemberList = Method.Create(MethodType.Unary, Cluster, "MemberList", MemberListRequest.Parser, MemberListResponse.Parser);
    public static readonly Method<MemberPromoteRequest, MemberPromoteResponse> MemberPromote = Method.Create(MethodType.Unary, Cluster, "MemberPromote", MemberPromoteRequest.Parser, MemberPromoteResponse.Parser);
}

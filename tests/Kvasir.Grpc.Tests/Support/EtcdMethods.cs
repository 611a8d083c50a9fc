using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Grpc.Tests.Support;

/// <summary>The etcd methods the tests call or serve, described once for client and server.</summary>
internal static class EtcdMethods
{
    public static readonly Method<RangeRequest, RangeResponse> Range = Method.Create(MethodType.Unary, "etcdserverpb.KV", "Range", RangeRequest.Parser, RangeResponse.Parser);
    public static readonly Method<PutRequest, PutResponse> Put = Method.Create(MethodType.Unary, "etcdserverpb.KV", "Put", PutRequest.Parser, PutResponse.Parser);
    public static readonly Method<DeleteRangeRequest, DeleteRangeResponse> DeleteRange = Method.Create(MethodType.Unary, "etcdserverpb.KV", "DeleteRange", DeleteRangeRequest.Parser, DeleteRangeResponse.Parser);
    public static readonly Method<TxnRequest, TxnResponse> Txn = Method.Create(MethodType.Unary, "etcdserverpb.KV", "Txn", TxnRequest.Parser, TxnResponse.Parser);
    public static readonly Method<CompactionRequest, CompactionResponse> Compact = Method.Create(MethodType.Unary, "etcdserverpb.KV", "Compact", CompactionRequest.Parser, CompactionResponse.Parser);
    public static readonly Method<WatchRequest, WatchResponse> Watch = Method.Create(MethodType.DuplexStreaming, "etcdserverpb.Watch", "Watch", WatchRequest.Parser, WatchResponse.Parser);
    public static readonly Method<LeaseGrantRequest, LeaseGrantResponse> LeaseGrant = Method.Create(MethodType.Unary, "etcdserverpb.Lease", "LeaseGrant", LeaseGrantRequest.Parser, LeaseGrantResponse.Parser);
    public static readonly Method<LeaseKeepAliveRequest, LeaseKeepAliveResponse> LeaseKeepAlive = Method.Create(MethodType.DuplexStreaming, "etcdserverpb.Lease", "LeaseKeepAlive", LeaseKeepAliveRequest.Parser, LeaseKeepAliveResponse.Parser);
    public static readonly Method<MemberListRequest, MemberListResponse> MemberList = Method.Create(MethodType.Unary, "etcdserverpb.Cluster", "MemberList", MemberListRequest.Parser, MemberListResponse.Parser);
    public static readonly Method<StatusRequest, StatusResponse> Status = Method.Create(MethodType.Unary, "etcdserverpb.Maintenance", "Status", StatusRequest.Parser, StatusResponse.Parser);

    // Shapes etcd's KV has no example of, for the layer's own tests: the range streamed key by key, and keys summed from a stream of puts.
    public static readonly Method<RangeRequest, RangeResponse> RangeEach = Method.Create(MethodType.ServerStreaming, "kvasir.test.Shapes", "RangeEach", RangeRequest.Parser, RangeResponse.Parser);
    public static readonly Method<PutRequest, RangeResponse> PutMany = Method.Create(MethodType.ClientStreaming, "kvasir.test.Shapes", "PutMany", PutRequest.Parser, RangeResponse.Parser);
    public static readonly Method<PutRequest, PutResponse> Echo = Method.Create(MethodType.DuplexStreaming, "kvasir.test.Shapes", "Echo", PutRequest.Parser, PutResponse.Parser);
}

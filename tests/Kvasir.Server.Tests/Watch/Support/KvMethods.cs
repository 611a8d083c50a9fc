using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;

namespace Kvasir.Server.Tests.Watch.Support;

/// <summary>The etcd KV methods the tests call on a real etcd.</summary>
internal static class KvMethods
{
    public static readonly Method<PutRequest, PutResponse> Put = Method.Create(MethodType.Unary, "etcdserverpb.KV", "Put", PutRequest.Parser, PutResponse.Parser);
    public static readonly Method<DeleteRangeRequest, DeleteRangeResponse> DeleteRange = Method.Create(MethodType.Unary, "etcdserverpb.KV", "DeleteRange", DeleteRangeRequest.Parser, DeleteRangeResponse.Parser);
    public static readonly Method<TxnRequest, TxnResponse> Txn = Method.Create(MethodType.Unary, "etcdserverpb.KV", "Txn", TxnRequest.Parser, TxnResponse.Parser);
    public static readonly Method<CompactionRequest, CompactionResponse> Compact = Method.Create(MethodType.Unary, "etcdserverpb.KV", "Compact", CompactionRequest.Parser, CompactionResponse.Parser);
}

using System.Buffers.Binary;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Client;

namespace Kvasir.Bench.Load;

/// <summary>Puts of 256-byte values to distinct 8-byte keys (etcd's benchmark with <c>--sequential-keys</c> and a key space of the total).</summary>
internal sealed class PutRow(int conns, int clients, long total) : OpsRow("put", conns, clients, total)
{
    private static readonly ByteString Value = ByteString.CopyFromUtf8(new string('v', 256));

    protected override Task OperateAsync(KvClient kv, long index, CancellationToken cancellationToken)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(key, index);
        return kv.PutAsync(new PutRequest { Key = ByteString.CopyFrom(key), Value = Value }, cancellationToken);
    }
}

using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Client;

namespace Kvasir.Bench.Load;

/// <summary>Reads of one 256-byte key, linearizable (ReadIndex on the server) or serializable (local), as etcd's benchmark <c>range benchkey</c>.</summary>
internal sealed class RangeRow(bool serializable, int conns, int clients, long total)
    : OpsRow(serializable ? "range-ser" : "range-lin", conns, clients, total)
{
    public const string Key = "benchkey";

    private readonly RangeRequest _request = new() { Key = ByteString.CopyFromUtf8(Key), Serializable = serializable };

    protected override Task SeedAsync(EtcdClient client, CancellationToken cancellationToken) =>
        client.KV.PutAsync(Key, new string('v', 256), cancellationToken: cancellationToken);

    protected override Task OperateAsync(KvClient kv, long index, CancellationToken cancellationToken) =>
        kv.RangeAsync(_request, cancellationToken);
}

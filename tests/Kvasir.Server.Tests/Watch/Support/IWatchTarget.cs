using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;

namespace Kvasir.Server.Tests.Watch.Support;

/// <summary>A server the same writes and watches go to: Kvasir's Watch service over its in-test member, or a real etcd.</summary>
internal interface IWatchTarget : IAsyncDisposable
{
    string Name { get; }

    /// <summary>host:port, as etcdctl takes it.</summary>
    string Endpoint { get; }

    /// <summary>A client for watch streams.</summary>
    GrpcChannel Channel { get; }

    Task<long> PutAsync(string key, string value);

    Task<long> DeleteAsync(string key, string? rangeEnd = null);

    Task<long> TxnAsync(TxnRequest request);

    Task CompactAsync(long revision);

    /// <summary>Watchers the server holds (etcd_debugging_mvcc_watcher_total).</summary>
    Task<int> WatcherCountAsync();
}

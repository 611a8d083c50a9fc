using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Client.Internal;

namespace Kvasir.Client;

/// <summary>
/// etcd's KV service: Get (Range), Put, Delete (DeleteRange), Txn and Compact. Responses are etcd's
/// messages as sent (<c>Header.Revision</c>, <c>Kvs</c>, <c>Count</c>, <c>More</c>, <c>PrevKv</c>...).
/// Failures throw <see cref="EtcdException"/> (<see cref="EtcdCompactedException"/> for a compacted
/// revision); contradictory options throw <see cref="ArgumentException"/> before anything is sent.
/// Reads may be retried on the next endpoint after UNAVAILABLE; writes never are, since the first
/// attempt may have been applied.
/// </summary>
public sealed class KvClient
{
    private readonly CallInvoker _invoker;

    internal KvClient(CallInvoker invoker)
    {
        _invoker = invoker;
    }

    public Task<RangeResponse> GetAsync(ByteString key, GetOptions? options = null, CancellationToken cancellationToken = default) =>
        RangeAsync(options is null ? GetOptions.Single(key) : options.ToRequest(key), cancellationToken);

    public Task<RangeResponse> GetAsync(string key, GetOptions? options = null, CancellationToken cancellationToken = default) =>
        GetAsync(Op.Utf8(key), options, cancellationToken);

    /// <summary>Sends a range request as given.</summary>
    public Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _invoker.UnaryAsync(EtcdMethods.Range, request, idempotent: true, cancellationToken);
    }

    public Task<PutResponse> PutAsync(ByteString key, ByteString value, PutOptions? options = null, CancellationToken cancellationToken = default) =>
        PutAsync((options ?? NoPutOptions).ToRequest(key, value), cancellationToken);

    public Task<PutResponse> PutAsync(string key, string value, PutOptions? options = null, CancellationToken cancellationToken = default) =>
        PutAsync(Op.Utf8(key), Op.Utf8(value), options, cancellationToken);

    /// <summary>Sends a put request as given.</summary>
    public Task<PutResponse> PutAsync(PutRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _invoker.UnaryAsync(EtcdMethods.Put, request, idempotent: false, cancellationToken);
    }

    public Task<DeleteRangeResponse> DeleteAsync(ByteString key, DeleteOptions? options = null, CancellationToken cancellationToken = default) =>
        _invoker.UnaryAsync(EtcdMethods.DeleteRange, (options ?? NoDeleteOptions).ToRequest(key), idempotent: false, cancellationToken);

    public Task<DeleteRangeResponse> DeleteAsync(string key, DeleteOptions? options = null, CancellationToken cancellationToken = default) =>
        DeleteAsync(Op.Utf8(key), options, cancellationToken);

    /// <summary>Starts a transaction: <c>kv.Txn().If(...).Then(...).Else(...).CommitAsync()</c>.</summary>
    public TxnBuilder Txn() => new(_invoker);

    /// <summary>Runs a transaction built elsewhere.</summary>
    public Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken cancellationToken = default) =>
        TxnAsync(_invoker, request, cancellationToken);

    /// <summary>Discards the history before <paramref name="revision"/>; with <paramref name="physical"/> the call returns
    /// only once the backend has removed it. A revision already compacted gives <see cref="EtcdCompactedException"/>.</summary>
    public Task<CompactionResponse> CompactAsync(long revision, bool physical = false, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        return _invoker.UnaryAsync(EtcdMethods.Compact, new CompactionRequest { Revision = revision, Physical = physical }, idempotent: false, cancellationToken);
    }

    internal static Task<TxnResponse> TxnAsync(CallInvoker invoker, TxnRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var readOnly = Op.ReadOnly(request.Success) && Op.ReadOnly(request.Failure);
        return invoker.UnaryAsync(EtcdMethods.Txn, request, idempotent: readOnly, cancellationToken);
    }

    private static readonly PutOptions NoPutOptions = new();
    private static readonly DeleteOptions NoDeleteOptions = new();
}

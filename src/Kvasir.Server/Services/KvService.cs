using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Server;
using Kvasir.Server.Member;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Server.Services;

/// <summary>
/// etcd's KV service. Requests are checked first (etcd's checks, --max-txn-ops), so a bad request
/// never reaches Raft; writes go through Raft; reads are served from the local store — at once when
/// serializable, after a shared ReadIndex round otherwise — as are read-only txns. Headers carry
/// the cluster id, member id, Raft term and the revision the applier or the read produced.
/// </summary>
public sealed class KvService(MemberServer member)
{
    private readonly int _maxTxnOps = (int)Math.Min(member.Config.MaxTxnOps, int.MaxValue);

    /// <summary>
    /// Routes the service's gRPC methods: each checks etcd's interceptor rules (<see cref="RequestGuard"/>)
    /// and calls the method of the same name, which the JSON gateway can call too.
    /// </summary>
    public void Register(GrpcRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        router.AddUnary(EtcdMethods.Range, OnRange);
        router.AddUnary(EtcdMethods.Put, OnPut);
        router.AddUnary(EtcdMethods.DeleteRange, OnDeleteRange);
        router.AddUnary(EtcdMethods.Txn, OnTxn);
        router.AddUnary(EtcdMethods.Compact, OnCompact);
    }

    public async Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken cancellationToken)
    {
        if (RequestValidator.CheckRange(request) is { } invalid)
        {
            throw invalid.ToRpcException();
        }

        if (!request.Serializable)
        {
            await member.WaitLinearizableAsync(cancellationToken).ConfigureAwait(false);
        }

        var result = member.Store.Range(request);
        member.Metrics.Mvcc.Range();
        return Fill(result.Ok ? result.Response! : throw result.Error!.ToRpcException());
    }

    public async Task<PutResponse> PutAsync(PutRequest request, CancellationToken cancellationToken)
    {

        // etcd's order: the quota first (its quotaKVServer wraps the KV server), then the checks.
        if (!member.Quota.Available(request))
        {
            await QuotaExceededAsync(cancellationToken).ConfigureAwait(false);
        }

        if (RequestValidator.CheckPut(request) is { } invalid)
        {
            throw invalid.ToRpcException();
        }

        var result = await member.ProposeAsync(new InternalRaftRequest { Put = request }, cancellationToken).ConfigureAwait(false);
        return Fill(Unwrap<PutResponse>(result));
    }

    public async Task<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, CancellationToken cancellationToken)
    {
        if (RequestValidator.CheckDelete(request) is { } invalid)
        {
            throw invalid.ToRpcException();
        }

        var result = await member.ProposeAsync(new InternalRaftRequest { DeleteRange = request }, cancellationToken).ConfigureAwait(false);
        return Fill(Unwrap<DeleteRangeResponse>(result));
    }

    public async Task<TxnResponse> TxnAsync(TxnRequest request, CancellationToken cancellationToken)
    {
        if (!member.Quota.Available(request))
        {
            await QuotaExceededAsync(cancellationToken).ConfigureAwait(false);
        }

        if (RequestValidator.CheckTxn(request, _maxTxnOps) is { } invalid)
        {
            throw invalid.ToRpcException();
        }

        if (MvccStore.IsReadOnly(request))
        {
            // etcd serves a txn of ranges without Raft: linearizable unless every range is serializable.
            if (!AllSerializable(request))
            {
                await member.WaitLinearizableAsync(cancellationToken).ConfigureAwait(false);
            }

            var read = member.Store.TxnRead(request);
            return Fill(read.Ok ? read.Response! : throw read.Error!.ToRpcException());
        }

        var result = await member.ProposeAsync(new InternalRaftRequest { Txn = request }, cancellationToken).ConfigureAwait(false);
        return Fill(Unwrap<TxnResponse>(result));
    }

    public async Task<CompactionResponse> CompactAsync(CompactionRequest request, CancellationToken cancellationToken)
    {
        var result = await member.ProposeAsync(new InternalRaftRequest { Compaction = request }, cancellationToken).ConfigureAwait(false);
        if (request.Physical)
        {
            // Wait for the backend to drop the compacted rows (for an already-compacted revision, for
            // the compactions scheduled before it), then commit, so a crash does not resume it.
            await member.Store.WhenCompacted().WaitAsync(cancellationToken).ConfigureAwait(false);
            member.Store.Commit();
        }

        var response = Unwrap<CompactionResponse>(result);
        response.Header ??= new ResponseHeader();
        response.Header.Revision = member.Store.CurrentRevision;
        return Fill(response);
    }

    /// <summary>
    /// etcd's quota check before proposing a write: raise the NOSPACE alarm through Raft (whatever
    /// comes of it), then refuse with <c>database space exceeded</c>.
    /// </summary>
    private async Task QuotaExceededAsync(CancellationToken cancellationToken)
    {
        try
        {
            var alarm = new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Activate, MemberID = member.MemberId, Alarm = AlarmType.Nospace };
            await member.ProposeAsync(new InternalRaftRequest { Alarm = alarm }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Grpc.RpcException or OperationCanceledException)
        {
            // The request is refused either way.
        }

        throw EtcdErrors.NoSpace.ToRpcException();
    }

    // The gRPC handlers: the interceptor's checks, then the method.
    private ValueTask<RangeResponse> OnRange(RangeRequest r, ServerCallContext c)
    {
        RequestGuard.Check(c, member);
        return new(RangeAsync(r, c.CancellationToken));
    }

    private ValueTask<PutResponse> OnPut(PutRequest r, ServerCallContext c)
    {
        RequestGuard.Check(c, member);
        return new(PutAsync(r, c.CancellationToken));
    }

    private ValueTask<DeleteRangeResponse> OnDeleteRange(DeleteRangeRequest r, ServerCallContext c)
    {
        RequestGuard.Check(c, member);
        return new(DeleteRangeAsync(r, c.CancellationToken));
    }

    private ValueTask<TxnResponse> OnTxn(TxnRequest r, ServerCallContext c)
    {
        RequestGuard.Check(c, member);
        return new(TxnAsync(r, c.CancellationToken));
    }

    private ValueTask<CompactionResponse> OnCompact(CompactionRequest r, ServerCallContext c)
    {
        RequestGuard.Check(c, member);
        return new(CompactAsync(r, c.CancellationToken));
    }

    private static bool AllSerializable(TxnRequest request)
    {
        foreach (var op in request.Success)
        {
            if (!op.RequestRange.Serializable)
            {
                return false;
            }
        }

        foreach (var op in request.Failure)
        {
            if (!op.RequestRange.Serializable)
            {
                return false;
            }
        }

        return true;
    }

    private static T Unwrap<T>(AppliedResult result)
        where T : class =>
        result.Error is { } error ? throw error.ToRpcException() : (T)result.Response!;

    private RangeResponse Fill(RangeResponse r) => Headers.Fill(r, r.Header ??= new ResponseHeader(), member);

    private PutResponse Fill(PutResponse r) => Headers.Fill(r, r.Header ??= new ResponseHeader(), member);

    private DeleteRangeResponse Fill(DeleteRangeResponse r) => Headers.Fill(r, r.Header ??= new ResponseHeader(), member);

    private TxnResponse Fill(TxnResponse r) => Headers.Fill(r, r.Header ??= new ResponseHeader(), member);

    private CompactionResponse Fill(CompactionResponse r) => Headers.Fill(r, r.Header ??= new ResponseHeader(), member);
}

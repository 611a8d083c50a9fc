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

    public void Register(GrpcRouter router)
    {
        ArgumentNullException.ThrowIfNull(router);
        router.AddUnary(EtcdMethods.Range, RangeAsync);
        router.AddUnary(EtcdMethods.Put, PutAsync);
        router.AddUnary(EtcdMethods.DeleteRange, DeleteRangeAsync);
        router.AddUnary(EtcdMethods.Txn, TxnAsync);
        router.AddUnary(EtcdMethods.Compact, CompactAsync);
    }

    public async ValueTask<RangeResponse> RangeAsync(RangeRequest request, ServerCallContext context)
    {
        RequestGuard.Check(context, member);
        if (RequestValidator.CheckRange(request) is { } invalid)
        {
            throw invalid.ToRpcException();
        }

        if (!request.Serializable)
        {
            await member.WaitLinearizableAsync(context.CancellationToken).ConfigureAwait(false);
        }

        var result = member.Store.Range(request);
        return Fill(result.Ok ? result.Response! : throw result.Error!.ToRpcException());
    }

    public async ValueTask<PutResponse> PutAsync(PutRequest request, ServerCallContext context)
    {
        RequestGuard.Check(context, member);

        // etcd's order: the quota first (its quotaKVServer wraps the KV server), then the checks.
        if (!member.Quota.Available(request))
        {
            await QuotaExceededAsync(context).ConfigureAwait(false);
        }

        if (RequestValidator.CheckPut(request) is { } invalid)
        {
            throw invalid.ToRpcException();
        }

        var result = await member.ProposeAsync(new InternalRaftRequest { Put = request }, context.CancellationToken).ConfigureAwait(false);
        return Fill(Unwrap<PutResponse>(result));
    }

    public async ValueTask<DeleteRangeResponse> DeleteRangeAsync(DeleteRangeRequest request, ServerCallContext context)
    {
        RequestGuard.Check(context, member);
        if (RequestValidator.CheckDelete(request) is { } invalid)
        {
            throw invalid.ToRpcException();
        }

        var result = await member.ProposeAsync(new InternalRaftRequest { DeleteRange = request }, context.CancellationToken).ConfigureAwait(false);
        return Fill(Unwrap<DeleteRangeResponse>(result));
    }

    public async ValueTask<TxnResponse> TxnAsync(TxnRequest request, ServerCallContext context)
    {
        RequestGuard.Check(context, member);
        if (!member.Quota.Available(request))
        {
            await QuotaExceededAsync(context).ConfigureAwait(false);
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
                await member.WaitLinearizableAsync(context.CancellationToken).ConfigureAwait(false);
            }

            var read = member.Store.TxnRead(request);
            return Fill(read.Ok ? read.Response! : throw read.Error!.ToRpcException());
        }

        var result = await member.ProposeAsync(new InternalRaftRequest { Txn = request }, context.CancellationToken).ConfigureAwait(false);
        return Fill(Unwrap<TxnResponse>(result));
    }

    public async ValueTask<CompactionResponse> CompactAsync(CompactionRequest request, ServerCallContext context)
    {
        RequestGuard.Check(context, member);
        var result = await member.ProposeAsync(new InternalRaftRequest { Compaction = request }, context.CancellationToken).ConfigureAwait(false);
        if (request.Physical)
        {
            // Wait for the backend to drop the compacted rows (for an already-compacted revision, for
            // the compactions scheduled before it), then commit, so a crash does not resume it.
            await member.Store.WhenCompacted().WaitAsync(context.CancellationToken).ConfigureAwait(false);
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
    private async Task QuotaExceededAsync(ServerCallContext context)
    {
        try
        {
            var alarm = new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Activate, MemberID = member.MemberId, Alarm = AlarmType.Nospace };
            await member.ProposeAsync(new InternalRaftRequest { Alarm = alarm }, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is Grpc.RpcException or OperationCanceledException)
        {
            // The request is refused either way.
        }

        throw EtcdErrors.NoSpace.ToRpcException();
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

using Kvasir.Api.Errors;

namespace Kvasir.Server.Member;

// Linearizable reads: one ReadIndex round for all reads waiting, then applied ≥ the read index.
public sealed partial class MemberServer
{
    /// <summary>
    /// Completes when a read that starts now may be served from the local store linearizably: a
    /// ReadIndex round (shared by every read waiting) confirmed this member's commit index as the
    /// leader's, and the applier has reached it. Never blocks the applier. Throws
    /// <see cref="Grpc.RpcException"/>: <c>request timed out</c>, <c>no leader</c>, <c>server
    /// stopped</c>, <c>too many requests</c>; <see cref="OperationCanceledException"/> when
    /// <paramref name="cancellationToken"/> fires.
    /// </summary>
    public async Task WaitLinearizableAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _phase) != 1 || _fatal)
        {
            throw EtcdErrors.Stopped.ToRpcException();
        }

        // The round's own deadline (checked every tick) bounds the wait; no timer per read.
        var round = _reads.NextAsync();
        var index = round.IsCompleted ? await round.ConfigureAwait(false) : await round.WaitAsync(cancellationToken).ConfigureAwait(false);
        var applied = _applied.WaitAsync(index);
        if (!applied.IsCompleted)
        {
            await applied.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}

using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Lease;
using Kvasir.Server.Member;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Bench.Load.Lease;

/// <summary>
/// Applies each proposal at once, one at a time, as the member's applier would (no Raft, no WAL): what
/// the lessor benchmark puts behind the Lease service, so that its figures are the lessor's and the store's.
/// </summary>
internal sealed class BenchApplier(MvccStore store, Lessor lessor) : IProposer
{
    private readonly Lock _gate = new();
    private long _index = store.ConsistentIndex;

    public Task<AppliedResult> ProposeAsync(InternalRaftRequest request, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var index = ++_index;
            if (request.Put is { } put)
            {
                var r = store.Put(put, index, lessor);
                lessor.ApplyLeaseChanges(r.LeaseChanges);
                return Task.FromResult(r.Error is { } error ? AppliedResult.Failed(error) : AppliedResult.Of(r.Response!));
            }

            using var txn = store.BeginWrite(index);
            var result = request switch
            {
                { LeaseGrant: { } grant } => lessor.ApplyGrant(grant, txn),
                { LeaseRevoke: { } revoke } => lessor.ApplyRevoke(revoke, txn),
                { LeaseCheckpoint: { } checkpoint } => lessor.ApplyCheckpoint(checkpoint, txn),
                _ => throw new NotSupportedException(request.ToString()),
            };
            lessor.ApplyLeaseChanges(txn.End().LeaseChanges);
            return Task.FromResult(result);
        }
    }
}

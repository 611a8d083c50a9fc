using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Server.Member;

/// <summary>
/// The lease applier a member uses until the lessor is wired in: no lease exists, so a put with a
/// lease gets <c>requested lease not found</c>, a grant <c>not capable</c>, a revoke
/// <c>requested lease not found</c>. It changes nothing.
/// </summary>
public sealed class RefusingLeaseApplier : ILeaseApplier
{
    public static RefusingLeaseApplier Instance { get; } = new();

    public bool Exists(long leaseId) => false;

    public AppliedResult ApplyGrant(LeaseGrantRequest request, MvccWriteTxn txn) => AppliedResult.Failed(EtcdErrors.NotCapable);

    public AppliedResult ApplyRevoke(LeaseRevokeRequest request, MvccWriteTxn txn) => AppliedResult.Failed(EtcdErrors.LeaseNotFound);

    public AppliedResult ApplyCheckpoint(LeaseCheckpointRequest request, MvccWriteTxn txn) => AppliedResult.Of(new LeaseCheckpointResponse());

    public void ApplyLeaseChanges(IReadOnlyList<LeaseChange> changes)
    {
    }

    public void OnLeadershipChanged(bool isLeader)
    {
    }
}

using Kvasir.Api.Etcdserverpb;
using Kvasir.Storage.Mvcc;

namespace Kvasir.Server.Member;

/// <summary>
/// What the applier asks of the lessor, on the applier thread, in log order. Each lease entry is
/// applied inside a write transaction the applier opened at the entry's Raft index and ends
/// itself, so that a revoke's key deletions, its bucket change and the consistent index land
/// together and the events reach the watch hub. <see cref="ILeaseLookup"/> tells the store whether
/// a Put's lease exists.
/// </summary>
public interface ILeaseApplier : ILeaseLookup
{
    /// <summary>Grants a lease (server-chosen id when 0; TTL raised to the minimum); persists it in <paramref name="txn"/>.</summary>
    AppliedResult ApplyGrant(LeaseGrantRequest request, MvccWriteTxn txn);

    /// <summary>Revokes a lease: deletes its keys and its record in <paramref name="txn"/>; unknown lease gives <c>requested lease not found</c>.</summary>
    AppliedResult ApplyRevoke(LeaseRevokeRequest request, MvccWriteTxn txn);

    /// <summary>Records the leader's remaining TTLs (persisted in <paramref name="txn"/>), so that a restart or a new leader does not extend leases.</summary>
    AppliedResult ApplyCheckpoint(LeaseCheckpointRequest request, MvccWriteTxn txn);

    /// <summary>Keys that a KV write attached to, moved between, or detached from leases.</summary>
    void ApplyLeaseChanges(IReadOnlyList<LeaseChange> changes);

    /// <summary>Leadership changed (called by the member, on any thread): the leader renews, checkpoints and expires leases; others do not.</summary>
    void OnLeadershipChanged(bool isLeader);
}

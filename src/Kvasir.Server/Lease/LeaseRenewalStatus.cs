namespace Kvasir.Server.Lease;

public enum LeaseRenewalStatus
{
    /// <summary>The lease now expires its full TTL from now.</summary>
    Renewed,

    /// <summary>No such lease, or it expired and its revoke applied while the renewal waited (etcd answers TTL 0).</summary>
    NotFound,

    /// <summary>This member is not the leader (or stopped being it while the renewal waited): renewals belong to the leader.</summary>
    NotLeader,
}

namespace Kvasir.Server.Lease;

/// <summary>The outcome of <see cref="Lessor.RenewAsync"/>: the granted TTL when renewed.</summary>
public readonly record struct LeaseRenewal(LeaseRenewalStatus Status, long Ttl)
{
    public static LeaseRenewal NotFound => new(LeaseRenewalStatus.NotFound, 0);

    public static LeaseRenewal NotLeader => new(LeaseRenewalStatus.NotLeader, 0);
}

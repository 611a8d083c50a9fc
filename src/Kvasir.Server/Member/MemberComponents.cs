namespace Kvasir.Server.Member;

/// <summary>
/// The parts built beside the member's core, injected when it opens: the lessor (as the applier
/// sees it) and the watch hub. Each factory is called once, after the storage is open and before
/// any entry is replayed, with the member (its <see cref="IProposer"/>, <see cref="IMemberState"/>,
/// store and configuration). Without them the member refuses leases and drops watch events.
/// </summary>
public sealed class MemberComponents
{
    public Func<MemberServer, ILeaseApplier>? Lessor { get; init; }

    public Func<MemberServer, IWatchNotifier>? WatchHub { get; init; }
}

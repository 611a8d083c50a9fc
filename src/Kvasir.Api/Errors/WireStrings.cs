namespace Kvasir.Api.Errors;

/// <summary>
/// Texts etcd sends outside gRPC statuses: watch cancel reasons and /health reasons. Clients and
/// operators' scripts compare them as they are.
/// </summary>
public static class WireStrings
{
    /// <summary>Watch <c>cancel_reason</c> when the start revision was compacted (unprefixed, as the mvcc layer says it).</summary>
    public const string WatchCompacted = "mvcc: required revision has been compacted";

    /// <summary>Watch <c>cancel_reason</c> for a client-chosen watch id already in use on the stream.</summary>
    public const string DuplicateWatchId = "mvcc: duplicate watch ID provided on the WatchStream";

    /// <summary>Watch <c>cancel_reason</c> for a range whose end is not after its start.</summary>
    public const string WatcherRangeEmpty = "mvcc: watcher range is empty";

    public const string HealthAlarmNoSpace = "ALARM NOSPACE";
    public const string HealthAlarmCorrupt = "ALARM CORRUPT";
    public const string HealthNoLeader = "RAFT NO LEADER";
    public const string HealthRangeErrorPrefix = "RANGE ERROR:";
}

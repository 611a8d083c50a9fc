using System.Collections.Frozen;

namespace Kvasir.Api.Errors;

/// <summary>
/// The catalogue of every error etcd's v3 API returns, with etcd 3.4's gRPC codes and messages
/// (shared/ETCD-FACTS.md, section 2). Code anywhere in Kvasir that answers with an etcd error takes
/// it from here; <see cref="FromMessage"/> turns a received message back into the catalogue entry.
/// </summary>
public static class EtcdErrors
{
    // Requests and keys.
    public static readonly EtcdError EmptyKey = new(RpcCode.InvalidArgument, "etcdserver: key is not provided");
    public static readonly EtcdError KeyNotFound = new(RpcCode.InvalidArgument, "etcdserver: key not found");
    public static readonly EtcdError ValueProvided = new(RpcCode.InvalidArgument, "etcdserver: value is provided");
    public static readonly EtcdError LeaseProvided = new(RpcCode.InvalidArgument, "etcdserver: lease is provided");
    public static readonly EtcdError TooManyOps = new(RpcCode.InvalidArgument, "etcdserver: too many operations in txn request");
    public static readonly EtcdError DuplicateKey = new(RpcCode.InvalidArgument, "etcdserver: duplicate key given in txn request");
    public static readonly EtcdError InvalidSortOption = new(RpcCode.InvalidArgument, "etcdserver: invalid sort option");
    public static readonly EtcdError InvalidClientApiVersion = new(RpcCode.InvalidArgument, "etcdserver: invalid client api version");
    public static readonly EtcdError Compacted = new(RpcCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted");
    public static readonly EtcdError FutureRev = new(RpcCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision");
    public static readonly EtcdError NoSpace = new(RpcCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded");

    // Leases.
    public static readonly EtcdError LeaseNotFound = new(RpcCode.NotFound, "etcdserver: requested lease not found");
    public static readonly EtcdError LeaseExist = new(RpcCode.FailedPrecondition, "etcdserver: lease already exists");
    public static readonly EtcdError LeaseTtlTooLarge = new(RpcCode.OutOfRange, "etcdserver: too large lease TTL");

    // Watches.
    public static readonly EtcdError WatchCanceled = new(RpcCode.Cancelled, "etcdserver: watch canceled");

    // Membership.
    public static readonly EtcdError MemberExist = new(RpcCode.FailedPrecondition, "etcdserver: member ID already exist");
    public static readonly EtcdError PeerUrlExist = new(RpcCode.FailedPrecondition, "etcdserver: Peer URLs already exists");
    public static readonly EtcdError MemberNotEnoughStarted = new(RpcCode.FailedPrecondition, "etcdserver: re-configuration failed due to not enough started members");
    public static readonly EtcdError MemberBadUrls = new(RpcCode.InvalidArgument, "etcdserver: given member URLs are invalid");
    public static readonly EtcdError MemberNotFound = new(RpcCode.NotFound, "etcdserver: member not found");
    public static readonly EtcdError MemberNotLearner = new(RpcCode.FailedPrecondition, "etcdserver: can only promote a learner member");
    public static readonly EtcdError LearnerNotReady = new(RpcCode.FailedPrecondition, "etcdserver: can only promote a learner member which is in sync with leader");
    public static readonly EtcdError TooManyLearners = new(RpcCode.FailedPrecondition, "etcdserver: too many learner members in cluster");
    public static readonly EtcdError ClusterIdMismatch = new(RpcCode.FailedPrecondition, "etcdserver: cluster ID mismatch");

    // Limits.
    public static readonly EtcdError RequestTooLarge = new(RpcCode.InvalidArgument, "etcdserver: request is too large");
    public static readonly EtcdError TooManyRequests = new(RpcCode.ResourceExhausted, "etcdserver: too many requests");

    // Auth.
    public static readonly EtcdError RootUserNotExist = new(RpcCode.FailedPrecondition, "etcdserver: root user does not exist");
    public static readonly EtcdError RootRoleNotExist = new(RpcCode.FailedPrecondition, "etcdserver: root user does not have root role");
    public static readonly EtcdError UserAlreadyExist = new(RpcCode.FailedPrecondition, "etcdserver: user name already exists");
    public static readonly EtcdError UserEmpty = new(RpcCode.InvalidArgument, "etcdserver: user name is empty");
    public static readonly EtcdError UserNotFound = new(RpcCode.FailedPrecondition, "etcdserver: user name not found");
    public static readonly EtcdError RoleAlreadyExist = new(RpcCode.FailedPrecondition, "etcdserver: role name already exists");
    public static readonly EtcdError RoleNotFound = new(RpcCode.FailedPrecondition, "etcdserver: role name not found");
    public static readonly EtcdError RoleEmpty = new(RpcCode.InvalidArgument, "etcdserver: role name is empty");
    public static readonly EtcdError AuthFailed = new(RpcCode.InvalidArgument, "etcdserver: authentication failed, invalid user ID or password");
    public static readonly EtcdError PermissionNotGiven = new(RpcCode.InvalidArgument, "etcdserver: permission not given");
    public static readonly EtcdError PermissionDenied = new(RpcCode.PermissionDenied, "etcdserver: permission denied");
    public static readonly EtcdError RoleNotGranted = new(RpcCode.FailedPrecondition, "etcdserver: role is not granted to the user");
    public static readonly EtcdError PermissionNotGranted = new(RpcCode.FailedPrecondition, "etcdserver: permission is not granted to the role");
    public static readonly EtcdError AuthNotEnabled = new(RpcCode.FailedPrecondition, "etcdserver: authentication is not enabled");
    public static readonly EtcdError InvalidAuthToken = new(RpcCode.Unauthenticated, "etcdserver: invalid auth token");
    public static readonly EtcdError InvalidAuthMgmt = new(RpcCode.InvalidArgument, "etcdserver: invalid auth management");
    public static readonly EtcdError AuthOldRevision = new(RpcCode.InvalidArgument, "etcdserver: revision of auth store is old");

    // Leadership, availability and time.
    public static readonly EtcdError NoLeader = new(RpcCode.Unavailable, "etcdserver: no leader");
    public static readonly EtcdError NotLeader = new(RpcCode.FailedPrecondition, "etcdserver: not leader");
    public static readonly EtcdError LeaderChanged = new(RpcCode.Unavailable, "etcdserver: leader changed");
    public static readonly EtcdError NotCapable = new(RpcCode.Unavailable, "etcdserver: not capable");
    public static readonly EtcdError Stopped = new(RpcCode.Unavailable, "etcdserver: server stopped");
    public static readonly EtcdError Timeout = new(RpcCode.Unavailable, "etcdserver: request timed out");
    public static readonly EtcdError TimeoutDueToLeaderFail = new(RpcCode.Unavailable, "etcdserver: request timed out, possibly due to previous leader failure");
    public static readonly EtcdError TimeoutDueToConnectionLost = new(RpcCode.Unavailable, "etcdserver: request timed out, possibly due to connection lost");
    public static readonly EtcdError TimeoutWaitAppliedIndex = new(RpcCode.Unavailable, "etcdserver: request timed out, waiting for the applied index took too long");
    public static readonly EtcdError Unhealthy = new(RpcCode.Unavailable, "etcdserver: unhealthy cluster");
    public static readonly EtcdError Corrupt = new(RpcCode.DataLoss, "etcdserver: corrupt cluster");
    public static readonly EtcdError NotSupportedForLearner = new(RpcCode.Unavailable, "etcdserver: rpc not supported for learner");
    public static readonly EtcdError BadLeaderTransferee = new(RpcCode.FailedPrecondition, "etcdserver: bad leader transferee");

    // Downgrade (3.5+).
    public static readonly EtcdError InvalidDowngradeTargetVersionFormat = new(RpcCode.InvalidArgument, "etcdserver: wrong downgrade target version format");
    public static readonly EtcdError InvalidDowngradeTargetVersion = new(RpcCode.InvalidArgument, "etcdserver: invalid downgrade target version");
    public static readonly EtcdError ClusterVersionUnavailable = new(RpcCode.Unavailable, "etcdserver: cluster version not found during downgrade");
    public static readonly EtcdError DowngradeInProcess = new(RpcCode.FailedPrecondition, "etcdserver: cluster has a downgrade job in progress");
    public static readonly EtcdError NoInflightDowngrade = new(RpcCode.FailedPrecondition, "etcdserver: no inflight downgrade job");

    // Request lifetime (3.5+).
    public static readonly EtcdError Canceled = new(RpcCode.Cancelled, "etcdserver: request canceled");
    public static readonly EtcdError DeadlineExceeded = new(RpcCode.DeadlineExceeded, "etcdserver: context deadline exceeded");

    /// <summary>Every entry of the catalogue, in declaration order.</summary>
    public static IReadOnlyList<EtcdError> All { get; } =
    [
        EmptyKey, KeyNotFound, ValueProvided, LeaseProvided, TooManyOps, DuplicateKey, InvalidSortOption,
        InvalidClientApiVersion, Compacted, FutureRev, NoSpace,
        LeaseNotFound, LeaseExist, LeaseTtlTooLarge,
        WatchCanceled,
        MemberExist, PeerUrlExist, MemberNotEnoughStarted, MemberBadUrls, MemberNotFound, MemberNotLearner,
        LearnerNotReady, TooManyLearners, ClusterIdMismatch,
        RequestTooLarge, TooManyRequests,
        RootUserNotExist, RootRoleNotExist, UserAlreadyExist, UserEmpty, UserNotFound, RoleAlreadyExist,
        RoleNotFound, RoleEmpty, AuthFailed, PermissionNotGiven, PermissionDenied, RoleNotGranted,
        PermissionNotGranted, AuthNotEnabled, InvalidAuthToken, InvalidAuthMgmt, AuthOldRevision,
        NoLeader, NotLeader, LeaderChanged, NotCapable, Stopped, Timeout, TimeoutDueToLeaderFail,
        TimeoutDueToConnectionLost, TimeoutWaitAppliedIndex, Unhealthy, Corrupt, NotSupportedForLearner,
        BadLeaderTransferee,
        InvalidDowngradeTargetVersionFormat, InvalidDowngradeTargetVersion, ClusterVersionUnavailable,
        DowngradeInProcess, NoInflightDowngrade,
        Canceled, DeadlineExceeded,
    ];

    private static readonly FrozenDictionary<string, EtcdError> ByMessage =
        All.ToFrozenDictionary(e => e.Message, StringComparer.Ordinal);

    /// <summary>The catalogue entry whose message is exactly <paramref name="message"/>, or null.</summary>
    public static EtcdError? FromMessage(string? message) =>
        message is not null && ByMessage.TryGetValue(message, out var e) ? e : null;
}

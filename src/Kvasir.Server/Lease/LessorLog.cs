using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Lease;

/// <summary>The lessor's log lines; event ids 1500–1599.</summary>
internal static partial class LessorLog
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "recovered {Count} leases from the backend")]
    public static partial void Recovered(ILogger logger, int count);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Warning, Message = "{Count} keys name a lease the backend does not hold; they stay, unattached")]
    public static partial void OrphanKeys(ILogger logger, int count);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "a key was attached to lease {LeaseId:x16}, which does not exist; ignored")]
    public static partial void AttachUnknown(ILogger logger, long leaseId);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "lessor promoted: {Count} leases now expire on this member")]
    public static partial void Promoted(ILogger logger, int count);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Information, Message = "lessor demoted: leases no longer expire on this member")]
    public static partial void Demoted(ILogger logger);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Warning, Message = "lease proposal (lease {LeaseId:x16}) refused: {Error}")]
    public static partial void ProposalRefused(ILogger logger, long leaseId, string error);

    [LoggerMessage(EventId = 1506, Level = LogLevel.Warning, Message = "lease proposal (lease {LeaseId:x16}) failed; the next round tries again")]
    public static partial void ProposalFailed(ILogger logger, long leaseId, Exception exception);

    [LoggerMessage(EventId = 1507, Level = LogLevel.Error, Message = "the lessor's loop stopped on an error; leases no longer expire on this member")]
    public static partial void LoopFailed(ILogger logger, Exception exception);
}

using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Member;

internal sealed partial class Applier
{
    [LoggerMessage(20, LogLevel.Warning, "alarm raised: {Alarm} from {Member}")]
    private static partial void LogAlarmRaised(ILogger log, string alarm, string member);

    [LoggerMessage(21, LogLevel.Warning, "alarm disarmed: {Alarm} from {Member}")]
    private static partial void LogAlarmDisarmed(ILogger log, string alarm, string member);
}

using Kvasir.Raft;
using Microsoft.Extensions.Logging;

namespace Kvasir.Server.Member;

/// <summary>Raft's log lines, into the member's log under the category <c>Kvasir.Raft</c>.</summary>
internal sealed partial class RaftLogger(ILogger log) : IRaftLogger
{
    public bool IsEnabled(RaftLogLevel level) => log.IsEnabled(ToLevel(level));

    public void Log(RaftLogLevel level, string message) => LogLine(log, ToLevel(level), message);

    private static LogLevel ToLevel(RaftLogLevel level) => level switch
    {
        RaftLogLevel.Debug => LogLevel.Debug,
        RaftLogLevel.Info => LogLevel.Information,
        RaftLogLevel.Warning => LogLevel.Warning,
        _ => LogLevel.Error,
    };

    [LoggerMessage(EventId = 1, Message = "{Message}")]
    private static partial void LogLine(ILogger log, LogLevel level, string message);
}

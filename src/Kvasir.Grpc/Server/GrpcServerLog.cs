using Microsoft.Extensions.Logging;

namespace Kvasir.Grpc.Server;

/// <summary>The server side's log lines, with stable event ids (1xx).</summary>
internal static partial class GrpcServerLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Error, Message = "gRPC handler of {Method} threw; answering UNKNOWN")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "gRPC call to unknown method {Method}")]
    public static partial void UnknownMethod(ILogger logger, string method);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "gRPC call to {Method} refused: {Code} {Detail}")]
    public static partial void CallRefused(ILogger logger, string method, StatusCode code, string detail);

    [LoggerMessage(EventId = 104, Level = LogLevel.Debug, Message = "gRPC status of {Method} could not be sent: the client is gone")]
    public static partial void StatusNotSent(ILogger logger, string method, Exception exception);
}

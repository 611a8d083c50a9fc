using Kvasir.Api.Errors;
using Kvasir.Grpc;

namespace Kvasir.Client.Internal;

/// <summary>
/// A watch's <c>cancel_reason</c> read back into a status. etcd puts the text of a gRPC status error
/// there, <c>rpc error: code = Unauthenticated desc = etcdserver: invalid auth token</c>, or a bare
/// storage error such as <c>mvcc: required revision has been compacted</c>.
/// </summary>
internal static class CancelReason
{
    private const string StatusPrefix = "rpc error: code = ";
    private const string DescSeparator = " desc = ";

    /// <summary>The status code and message <paramref name="reason"/> stands for (Cancelled when it names no code).</summary>
    public static (StatusCode Code, string Message) Parse(string reason)
    {
        if (reason.StartsWith(StatusPrefix, StringComparison.Ordinal))
        {
            var desc = reason.IndexOf(DescSeparator, StatusPrefix.Length, StringComparison.Ordinal);
            if (desc > 0)
            {
                var name = reason[StatusPrefix.Length..desc];
                var message = reason[(desc + DescSeparator.Length)..];
                var code = name == "Canceled" ? StatusCode.Cancelled : Enum.TryParse<StatusCode>(name, out var parsed) ? parsed : StatusCode.Unknown;
                return (code, message);
            }
        }

        return EtcdErrors.FromMessage(reason) is { } known ? ((StatusCode)(int)known.Code, reason) : (StatusCode.Cancelled, reason);
    }

    /// <summary>The exception a reader sees for a watch canceled with <paramref name="reason"/>.</summary>
    public static EtcdException ToException(string reason)
    {
        var (code, message) = Parse(reason);
        var error = EtcdErrors.FromMessage(message) ?? EtcdErrors.FromMessage("etcdserver: " + message);
        return ReferenceEquals(error, EtcdErrors.Compacted)
            ? new EtcdCompactedException(0, message)
            : new EtcdException(error is null ? code : (StatusCode)(int)error.Code, message, error);
    }
}

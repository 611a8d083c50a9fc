using Kvasir.Api.Errors;
using Kvasir.Grpc;

namespace Kvasir.Client;

/// <summary>
/// A call the server answered with an error. <see cref="Error"/> is the entry of etcd's error
/// catalogue whose text the server sent (null when the text is not one of etcd's, e.g. a transport
/// failure), so callers branch on <c>e.Error == EtcdErrors.LeaseNotFound</c> as Go callers compare
/// with <c>rpctypes.ErrLeaseNotFound</c>. <see cref="Exception.Message"/> is the server's text as sent.
/// </summary>
public class EtcdException : Exception
{
    public EtcdException(StatusCode statusCode, string message, EtcdError? error = null, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        Error = error;
    }

    /// <summary>The gRPC status code of the answer.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The catalogue entry matching the message text exactly, or null.</summary>
    public EtcdError? Error { get; }

    /// <summary>The exception a failed call surfaces as: the catalogue entry found from the message text,
    /// and <see cref="EtcdCompactedException"/> for a compacted revision.</summary>
    internal static EtcdException From(RpcException e)
    {
        var error = EtcdErrors.FromMessage(e.Status.Detail);
        return ReferenceEquals(error, EtcdErrors.Compacted)
            ? new EtcdCompactedException(0, e.Status.Detail, e)
            : new EtcdException(e.StatusCode, e.Status.Detail, error, e);
    }
}

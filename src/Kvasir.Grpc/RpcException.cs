namespace Kvasir.Grpc;

/// <summary>
/// A call that ended with a status other than OK. Server handlers throw it to answer with that
/// status; the client throws it when a call ends with one. <see cref="Exception.Message"/> is the
/// status detail exactly as sent (etcd's clients match on that text).
/// </summary>
public sealed class RpcException : Exception
{
    public RpcException(StatusCode code, string message)
        : this(new Status(code, message), null)
    {
    }

    public RpcException(Status status, Metadata? trailers = null)
        : base(status.Detail)
    {
        Status = status;
        Trailers = trailers ?? Metadata.Empty;
    }

    public StatusCode StatusCode => Status.Code;

    public Status Status { get; }

    /// <summary>The trailers that came with the status (client side); empty when there were none.</summary>
    public Metadata Trailers { get; }

    public override string ToString() => $"{nameof(RpcException)}: {Status}";
}

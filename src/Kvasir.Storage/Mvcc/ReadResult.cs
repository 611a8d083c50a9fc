using Kvasir.Api.Errors;

namespace Kvasir.Storage.Mvcc;

/// <summary>The outcome of a read: a response, or the etcd error it gets.</summary>
public readonly struct ReadResult<TResponse>
    where TResponse : class
{
    public ReadResult(TResponse response)
    {
        Response = response;
        Error = null;
    }

    public ReadResult(EtcdError error)
    {
        Response = null;
        Error = error;
    }

    public TResponse? Response { get; }

    public EtcdError? Error { get; }

    public bool Ok => Error is null;

    public static implicit operator ReadResult<TResponse>(EtcdError error) => new(error);
}

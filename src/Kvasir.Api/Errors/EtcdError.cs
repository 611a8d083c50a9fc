namespace Kvasir.Api.Errors;

/// <summary>
/// One error as etcd sends it: a gRPC status code and an exact message. Clients match on the
/// message text (etcd's Go client turns it back into a typed error), so the text is part of the
/// wire contract and must never change.
/// </summary>
public sealed record EtcdError(RpcCode Code, string Message)
{
    public override string ToString() => $"{Code}: {Message}";
}

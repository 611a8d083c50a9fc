using Google.Protobuf;
using Kvasir.Api.Errors;

namespace Kvasir.Server.Member;

/// <summary>
/// What applying one entry produced for the client that proposed it: etcd's response message
/// (its header's revision set by the applier), or the etcd error the apply refused it with — in
/// which case the entry changed nothing.
/// </summary>
public sealed record AppliedResult(IMessage? Response, EtcdError? Error)
{
    public static AppliedResult Of(IMessage response) => new(response, null);

    public static AppliedResult Failed(EtcdError error) => new(null, error);
}

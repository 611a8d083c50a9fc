using Google.Protobuf;
using Kvasir.Grpc;

namespace Kvasir.Server.Gateway;

/// <summary>
/// A path of etcd's gateway whose service this member does not serve yet: the body is read as the
/// method's request (malformed JSON gets Go's text, as for any route), then the answer is what
/// etcd's gateway gives when its gRPC server lacks the service, Unimplemented
/// <c>unknown service NAME</c> (as an error chunk for a streaming method).
/// </summary>
internal sealed class UnservedRoute<TRequest>(string service, bool streaming)
    : GatewayRoute($"/{service}/", streaming ? MethodType.ServerStreaming : MethodType.Unary)
    where TRequest : class, IMessage, new()
{
    public override async Task HandleAsync(GatewayCall call, JsonGateway gateway)
    {
        try
        {
            _ = await gateway.Body(call).ReadAsync<TRequest>(call.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is GoJsonException or GatewayBody.TooLargeException)
        {
            var code = streaming ? StatusCode.Unknown : e is GoJsonException ? StatusCode.InvalidArgument : StatusCode.ResourceExhausted;
            await GatewayResponses.WriteRequestErrorAsync(call.Http, new Status(code, e.Message)).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (call.StatusOf(e) is null)
        {
            return;
        }

        var status = new Status(StatusCode.Unimplemented, $"unknown service {service}");
        if (streaming)
        {
            await new GatewayStream(call.Http).WriteErrorAsync(status).ConfigureAwait(false);
        }
        else
        {
            await GatewayResponses.WriteCallErrorAsync(call.Http, status).ConfigureAwait(false);
        }
    }
}

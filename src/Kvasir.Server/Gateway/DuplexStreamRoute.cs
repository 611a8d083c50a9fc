using System.Diagnostics;
using Google.Protobuf;
using Kvasir.Grpc;

namespace Kvasir.Server.Gateway;

/// <summary>
/// A bidirectional-streaming method through the gateway: the body carries the requests, the answer is
/// one <c>{"result":{...}}</c> line per response. This base reads the first request (a first value that
/// is not JSON is 500 with Go's text, as the gateway's bidi path reports it Unknown), checks for a
/// leader, hands over to <see cref="ServeAsync"/>, and ends the stream with etcd's error chunk when
/// that fails; the call is counted in the gRPC metrics either way.
/// </summary>
internal abstract class DuplexStreamRoute<TRequest>(string grpcMethod) : GatewayRoute(grpcMethod, MethodType.DuplexStreaming)
    where TRequest : class, IMessage<TRequest>, new()
{
    public sealed override async Task HandleAsync(GatewayCall call, JsonGateway gateway)
    {
        var body = gateway.Body(call);
        var output = new GatewayStream(call.Http);
        var started = Stopwatch.GetTimestamp();
        gateway.CallStarted(this, call);
        var status = Status.Ok;
        try
        {
            TRequest? first;
            try
            {
                first = await body.ReadAsync<TRequest>(call.CancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is GoJsonException or GatewayBody.TooLargeException)
            {
                status = new Status(StatusCode.Unknown, e.Message);
                await GatewayResponses.WriteRequestErrorAsync(call.Http, status).ConfigureAwait(false);
                return;
            }

            call.CheckLeader(gateway.LeaderId);
            await ServeAsync(call, gateway, body, output, first).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            status = await FailStreamAsync(e, call, gateway, output).ConfigureAwait(false);
        }
        finally
        {
            gateway.CallCompleted(this, status.Code, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>Serves the stream from its first request (null when the body was empty) until it ends.</summary>
    protected abstract Task ServeAsync(GatewayCall call, JsonGateway gateway, GatewayBody body, GatewayStream output, TRequest? first);
}

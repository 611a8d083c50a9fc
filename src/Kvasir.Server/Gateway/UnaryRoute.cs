using System.Diagnostics;
using Google.Protobuf;
using Kvasir.Grpc;

namespace Kvasir.Server.Gateway;

/// <summary>
/// A unary method over JSON: the body's first value is the request (an empty body the empty request;
/// malformed JSON is 400 with Go's text, before any call); the method's answer is the response, its
/// error etcd's error body with the HTTP status of its gRPC code.
/// </summary>
internal sealed class UnaryRoute<TRequest, TResponse>(string grpcMethod, Func<TRequest, CancellationToken, ValueTask<TResponse>> handler)
    : GatewayRoute(grpcMethod, MethodType.Unary)
    where TRequest : class, IMessage, new()
    where TResponse : IMessage
{
    public override async Task HandleAsync(GatewayCall call, JsonGateway gateway)
    {
        var http = call.Http;
        TRequest request;
        try
        {
            request = await gateway.Body(call).ReadAsync<TRequest>(call.CancellationToken).ConfigureAwait(false) ?? new TRequest();
        }
        catch (Exception e) when (e is GoJsonException or GatewayBody.TooLargeException)
        {
            var code = e is GoJsonException ? StatusCode.InvalidArgument : StatusCode.ResourceExhausted;
            await GatewayResponses.WriteRequestErrorAsync(http, new Status(code, e.Message)).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (call.StatusOf(e) is null)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        gateway.CallStarted(this, call);
        var status = Status.Ok;
        try
        {
            gateway.CheckRequest(call, request);
            var response = await handler(request, call.CancellationToken).ConfigureAwait(false);
            await GatewayResponses.WriteMessageAsync(http, response, call.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            var answer = call.StatusOf(e);
            status = answer ?? new Status(StatusCode.Cancelled, "context canceled");
            if (answer is { } s && !http.Response.HasStarted)
            {
                gateway.LogFailure(this, e, s);
                await GatewayResponses.WriteCallErrorAsync(http, s).ConfigureAwait(false);
            }
        }
        finally
        {
            gateway.CallCompleted(this, status.Code, Stopwatch.GetElapsedTime(started));
        }
    }
}

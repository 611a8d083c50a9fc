using System.Diagnostics;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Server.Lease;

namespace Kvasir.Server.Gateway;

/// <summary>
/// <c>POST /v3/lease/keepalive</c>: each LeaseKeepAliveRequest in the body is answered, in order, with
/// one <c>{"result":{"ID":...,"TTL":...}}</c> line (TTL absent for an unknown or expired lease); the
/// stream ends when the body does, as etcd's does once the gateway closes its side. A first value that
/// is not JSON is 500 with Go's text; a later one ends the reading.
/// </summary>
internal sealed class KeepAliveRoute(LeaseService lease) : GatewayRoute(LeaseMethods.KeepAlive.FullName, MethodType.DuplexStreaming)
{
    public override async Task HandleAsync(GatewayCall call, JsonGateway gateway)
    {
        var token = call.CancellationToken;
        var body = gateway.Body(call);
        var output = new GatewayStream(call.Http);
        var started = Stopwatch.GetTimestamp();
        gateway.CallStarted(this, call);
        var status = Status.Ok;
        try
        {
            LeaseKeepAliveRequest? request;
            try
            {
                request = await body.ReadAsync<LeaseKeepAliveRequest>(token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is GoJsonException or GatewayBody.TooLargeException)
            {
                status = new Status(StatusCode.Unknown, e.Message);
                await GatewayResponses.WriteRequestErrorAsync(call.Http, status).ConfigureAwait(false);
                return;
            }

            call.CheckLeader(gateway.LeaderId);
            while (request is not null)
            {
                gateway.MessageReceived(this);
                var response = await lease.KeepAliveOnceAsync(request, token).ConfigureAwait(false);
                await output.WriteAsync(response, token).ConfigureAwait(false);
                gateway.MessageSent(this);
                try
                {
                    request = await body.ReadAsync<LeaseKeepAliveRequest>(token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is GoJsonException or GatewayBody.TooLargeException)
                {
                    gateway.LogBadStreamValue(e.Message);
                    request = null;
                }
            }

            gateway.EndStream(output);
        }
        catch (Exception e)
        {
            var answer = call.StatusOf(e);
            status = answer ?? new Status(StatusCode.Cancelled, "context canceled");
            if (answer is { } s)
            {
                gateway.LogFailure(this, e, s);
                await output.WriteErrorAsync(s).ConfigureAwait(false);
            }
        }
        finally
        {
            gateway.CallCompleted(this, status.Code, Stopwatch.GetElapsedTime(started));
        }
    }
}

using System.Diagnostics;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Server.Services;

namespace Kvasir.Server.Gateway;

/// <summary>
/// <c>POST /v3/maintenance/snapshot</c>: the backend image as a stream of
/// <c>{"result":{"remaining_bytes":"...","blob":"..."}}</c> lines, the last blob holding its SHA-256,
/// as the gRPC stream sends it. A body that is not JSON is 400 with Go's text.
/// </summary>
internal sealed class SnapshotRoute(MaintenanceService maintenance) : GatewayRoute(EtcdMethods.Snapshot.FullName, MethodType.ServerStreaming)
{
    public override async Task HandleAsync(GatewayCall call, JsonGateway gateway)
    {
        SnapshotRequest request;
        try
        {
            request = await gateway.Body(call).ReadAsync<SnapshotRequest>(call.CancellationToken).ConfigureAwait(false) ?? new SnapshotRequest();
        }
        catch (Exception e) when (e is GoJsonException or GatewayBody.TooLargeException)
        {
            var code = e is GoJsonException ? StatusCode.InvalidArgument : StatusCode.ResourceExhausted;
            await GatewayResponses.WriteRequestErrorAsync(call.Http, new Status(code, e.Message)).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (call.StatusOf(e) is null)
        {
            return;
        }

        var output = new GatewayStream(call.Http);
        var started = Stopwatch.GetTimestamp();
        gateway.CallStarted(this, call);
        var status = Status.Ok;
        try
        {
            call.CheckLeader(gateway.LeaderId);
            gateway.MessageReceived(this);
            await maintenance.SnapshotAsync(request, (message, ct) => Send(output, message, gateway, ct), call.CancellationToken).ConfigureAwait(false);
            gateway.EndStream(output);
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

    private async ValueTask Send(GatewayStream output, SnapshotResponse message, JsonGateway gateway, CancellationToken cancellationToken)
    {
        await output.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        gateway.MessageSent(this);
    }
}

using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Lease;

namespace Kvasir.Server.Gateway;

/// <summary>
/// <c>POST /v3/lease/keepalive</c>: each LeaseKeepAliveRequest in the body is answered, in order, with
/// one <c>{"result":{"ID":...,"TTL":...}}</c> line (TTL absent for an unknown or expired lease); the
/// stream ends when the body does, as etcd's does once the gateway closes its side. A first value that
/// is not JSON is 500 with Go's text; a later one ends the reading.
/// </summary>
internal sealed class KeepAliveRoute(LeaseService lease) : DuplexStreamRoute<LeaseKeepAliveRequest>(LeaseMethods.KeepAlive.FullName)
{
    protected override async Task ServeAsync(GatewayCall call, JsonGateway gateway, GatewayBody body, GatewayStream output, LeaseKeepAliveRequest? first)
    {
        var token = call.CancellationToken;
        var request = first;
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
}

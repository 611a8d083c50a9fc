using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Watch;

namespace Kvasir.Server.Gateway;

/// <summary>
/// <c>POST /v3/watch</c>: the body carries WatchRequests (a create, and any more the client sends
/// while the stream lives: cancel, progress, more creates), the response is one
/// <c>{"result":{...}}</c> line per WatchResponse, each flushed as it comes. As etcd's, the stream
/// lives until the client goes away, whatever the body does; a body whose first value is not JSON
/// is answered 500 with Go's text (the gateway's bidi path reports it as Unknown); a later bad
/// value only stops the reading.
/// </summary>
internal sealed class WatchRoute(WatchHub hub) : DuplexStreamRoute<WatchRequest>(WatchService.WatchMethod.FullName)
{
    protected override async Task ServeAsync(GatewayCall call, JsonGateway gateway, GatewayBody body, GatewayStream output, WatchRequest? first)
    {
        var token = call.CancellationToken;
        using var stream = hub.OpenStream();
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(token);
        var receiver = ReceiveAsync(stream, body, first, this, gateway, ended.Token);
        try
        {
            var frames = new List<WatchFrame>();
            while (await stream.WaitToReadAsync(token).ConfigureAwait(false))
            {
                frames.Clear();
                stream.Read(frames);
                foreach (var frame in frames)
                {
                    await output.WriteAsync(frame.ToResponse(), token).ConfigureAwait(false);
                    gateway.MessageSent(this);
                }
            }
        }
        finally
        {
            await ended.CancelAsync().ConfigureAwait(false);
            await receiver.ConfigureAwait(false);
        }
    }

    /// <summary>Hands the body's requests to the hub's stream, one at a time, until the body ends or is not JSON.</summary>
    private static async Task ReceiveAsync(WatchStream stream, GatewayBody body, WatchRequest? first, GatewayRoute route, JsonGateway gateway, CancellationToken cancellationToken)
    {
        try
        {
            var request = first;
            while (request is not null)
            {
                gateway.MessageReceived(route);
                stream.Handle(request);
                await stream.WaitForControlRoomAsync(cancellationToken).ConfigureAwait(false);
                request = await body.ReadAsync<WatchRequest>(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is GoJsonException or GatewayBody.TooLargeException)
        {
            // etcd's gateway stops sending on a bad value; the stream goes on.
            gateway.LogBadStreamValue(e.Message);
        }
        catch (OperationCanceledException)
        {
            // The stream ended.
        }
        catch (IOException)
        {
            // The client's body broke off; the stream ends when the client goes away.
        }
    }
}

using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Server;

namespace Kvasir.Server.Lease;

/// <summary>The KeepAlive stream.</summary>
public sealed partial class LeaseService
{
    /// <summary>
    /// Answers each request on the stream, in order, with {ID, TTL}: the lease renewed for its granted TTL,
    /// or TTL 0 for an unknown or expired lease (no error, as etcd). The header is taken before renewing, so
    /// its revision is never later than the renewal (etcd's rule: a lease revoked at revision 3 is never
    /// reported alive at revision 4). The stream ends when the client closes its side; a member that is not
    /// the leader ends it with <c>no leader</c> / <c>not leader</c>.
    /// </summary>
    public async ValueTask KeepAliveAsync(RequestStream<LeaseKeepAliveRequest> requests, ServerStreamWriter<LeaseKeepAliveResponse> responses, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(responses);
        ArgumentNullException.ThrowIfNull(context);
        RequireLeaderIfAsked(context);
        var token = context.CancellationToken;
        while (await requests.MoveNextAsync(token).ConfigureAwait(false))
        {
            var response = await KeepAliveOnceAsync(requests.Current, token).ConfigureAwait(false);
            await responses.WriteAsync(response, token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Answers one request of a KeepAlive stream (the JSON gateway's stream calls it per request): {ID, TTL}
    /// with the lease renewed, TTL 0 for an unknown or expired lease; <c>no leader</c> / <c>not leader</c>
    /// (thrown) on a member that is not the leader.
    /// </summary>
    public async ValueTask<LeaseKeepAliveResponse> KeepAliveOnceAsync(LeaseKeepAliveRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var id = request.ID;
        var response = new LeaseKeepAliveResponse { ID = id, Header = Header(null) };
        var renewal = await _lessor.RenewAsync(id, cancellationToken).ConfigureAwait(false);
        switch (renewal.Status)
        {
            case LeaseRenewalStatus.Renewed:
                response.TTL = renewal.Ttl;
                break;
            case LeaseRenewalStatus.NotFound:
                response.TTL = 0;
                break;
            default:
                ThrowIfNotLeader();

                // Promoted again between the renewal and the check: this request answers as not leader all the same.
                throw Fail(Api.Errors.EtcdErrors.NotLeader);
        }

        return response;
    }
}

using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;

namespace Kvasir.Server.Lease;

/// <summary>etcd's Lease service (etcdserverpb.Lease), described once for the server and for clients.</summary>
public static class LeaseMethods
{
    public const string Service = "etcdserverpb.Lease";

    public static readonly Method<LeaseGrantRequest, LeaseGrantResponse> Grant =
        Method.Create(MethodType.Unary, Service, "LeaseGrant", LeaseGrantRequest.Parser, LeaseGrantResponse.Parser);

    public static readonly Method<LeaseRevokeRequest, LeaseRevokeResponse> Revoke =
        Method.Create(MethodType.Unary, Service, "LeaseRevoke", LeaseRevokeRequest.Parser, LeaseRevokeResponse.Parser);

    public static readonly Method<LeaseKeepAliveRequest, LeaseKeepAliveResponse> KeepAlive =
        Method.Create(MethodType.DuplexStreaming, Service, "LeaseKeepAlive", LeaseKeepAliveRequest.Parser, LeaseKeepAliveResponse.Parser);

    public static readonly Method<LeaseTimeToLiveRequest, LeaseTimeToLiveResponse> TimeToLive =
        Method.Create(MethodType.Unary, Service, "LeaseTimeToLive", LeaseTimeToLiveRequest.Parser, LeaseTimeToLiveResponse.Parser);

    public static readonly Method<LeaseLeasesRequest, LeaseLeasesResponse> Leases =
        Method.Create(MethodType.Unary, Service, "LeaseLeases", LeaseLeasesRequest.Parser, LeaseLeasesResponse.Parser);
}

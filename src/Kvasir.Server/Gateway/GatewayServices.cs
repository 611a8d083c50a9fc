using Kvasir.Server.Lease;
using Kvasir.Server.Member;
using Kvasir.Server.Services;
using Kvasir.Server.Watch;

namespace Kvasir.Server.Gateway;

/// <summary>
/// The member's services the gateway calls: the same instances, and the same public methods, the gRPC
/// handlers call. The lessor's service and the watch hub are optional (a member built without them
/// answers their routes as a gRPC server without those services would: Unimplemented).
/// </summary>
public sealed class GatewayServices
{
    public required MemberServer Member { get; init; }

    public required KvService Kv { get; init; }

    public required MaintenanceService Maintenance { get; init; }

    public required ClusterService Cluster { get; init; }

    public LeaseService? Lease { get; init; }

    public WatchHub? Watch { get; init; }
}

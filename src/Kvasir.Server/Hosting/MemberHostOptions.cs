using Kvasir.Grpc.Server;
using Kvasir.Server.Member;

namespace Kvasir.Server.Hosting;

/// <summary>
/// What the host adds to the member's core: the parts built beside it (lessor, watch hub) and the
/// gRPC services they serve. Wiring the real lessor and watch hub is a few lines here, e.g.
/// <code>
/// new MemberHostOptions
/// {
///     Components = new MemberComponents { Lessor = m => lessor = new Lessor(m, m, ...), WatchHub = m => hub = new WatchHub(m.Store, ...) },
///     RegisterServices = (router, member) => { new LeaseService(lessor, member).Register(router); new WatchService(hub, member).Register(router); },
/// };
/// </code>
/// </summary>
public sealed class MemberHostOptions
{
    public MemberComponents Components { get; init; } = new();

    /// <summary>Registers more services on the router after KV, Maintenance, Cluster and Health; called once the member is open.</summary>
    public Action<GrpcRouter, MemberServer>? RegisterServices { get; init; }

    /// <summary>The clock of the member's loops (tests inject one).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Opens the WAL directory as a device: tests wrap it to inject faults. Null for the file system.</summary>
    internal Func<string, Storage.IO.IStorageDevice>? WalDevice { get; init; }
}

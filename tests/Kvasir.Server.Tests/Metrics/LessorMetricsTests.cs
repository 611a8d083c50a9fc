using System.Diagnostics.Metrics;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Lease;
using Kvasir.Server.Metrics;
using Kvasir.Server.Tests.Lease.Support;

namespace Kvasir.Server.Tests.Metrics;

/// <summary>etcd's lessor metrics counted by a lessor on a stopped clock.</summary>
public sealed class LessorMetricsTests
{
    [Fact]
    public async Task GrantRenewExpireRevoke_CountedAsEtcdCountsThem()
    {
        var meterName = "test-" + Guid.NewGuid().ToString("N");
        using var meter = new Meter(meterName);
        using var exporter = new PrometheusExporter(meterName);
        using var fx = new LessorFixture(new LessorOptions { Meter = meter, Random = new Random(5) });

        var expiring = fx.Grant(5);
        var kept = fx.Grant(3600);
        var renewal = await fx.Lessor.RenewAsync(kept, CancellationToken.None);
        Assert.Equal(LeaseRenewalStatus.Renewed, renewal.Status);
        fx.Tick(TimeSpan.FromSeconds(6));
        Assert.False(fx.Lessor.Exists(expiring));
        fx.Propose(new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = kept } });
        fx.Propose(new InternalRaftRequest { LeaseRevoke = new LeaseRevokeRequest { ID = kept } });

        var text = exporter.Render();

        Assert.Contains("etcd_debugging_lease_granted_total 2\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_debugging_lease_renewed_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_debugging_lease_revoked_total 2\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_debugging_server_lease_expired_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_debugging_lease_ttl_total_bucket{le=\"4\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_debugging_lease_ttl_total_bucket{le=\"8\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_debugging_lease_ttl_total_bucket{le=\"4096\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_debugging_lease_ttl_total_sum 3605\n", text, StringComparison.Ordinal);
    }
}

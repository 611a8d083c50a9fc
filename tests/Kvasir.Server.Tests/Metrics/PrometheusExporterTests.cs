using System.Diagnostics.Metrics;
using Kvasir.Server.Metrics;

namespace Kvasir.Server.Tests.Metrics;

public sealed class PrometheusExporterTests
{
    [Fact]
    public void Render_CounterGaugeHistogram_InPrometheusTextFormat()
    {
        var meterName = "test-" + Guid.NewGuid().ToString("N");
        using var meter = new Meter(meterName);
        using var exporter = new PrometheusExporter(meterName);
        var proposals = meter.CreateCounter<long>("etcd_server_proposals_committed_total", description: "The total number of consensus proposals committed.");
        var leader = 1;
        meter.CreateObservableGauge("etcd_server_has_leader", () => leader, description: "Whether or not a leader exists. 1 is existence, 0 is not.");
        var fsync = meter.CreateHistogram("etcd_disk_wal_fsync_duration_seconds", unit: null, description: "The latency distributions of fsync called by WAL.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.004] });
        var handled = meter.CreateCounter<long>("grpc_server_handled_total", description: "Total number of RPCs completed on the server.");

        proposals.Add(3);
        proposals.Add(2);
        fsync.Record(0.0015);
        fsync.Record(0.003);
        fsync.Record(0.5);
        handled.Add(1, new("grpc_code", "OK"), new("grpc_method", "Range"));
        handled.Add(1, new("grpc_method", "Range"), new("grpc_code", "OK"));

        var text = exporter.Render();

        Assert.Contains("# TYPE etcd_server_proposals_committed_total counter\netcd_server_proposals_committed_total 5\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE etcd_server_has_leader gauge\netcd_server_has_leader 1\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.001\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.002\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"0.004\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_disk_wal_fsync_duration_seconds_bucket{le=\"+Inf\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_disk_wal_fsync_duration_seconds_count 3\n", text, StringComparison.Ordinal);
        Assert.Contains("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Range\"} 2\n", text, StringComparison.Ordinal);

        leader = 0;
        Assert.Contains("etcd_server_has_leader 0\n", exporter.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ProcessMetrics_Present()
    {
        var meterName = "test-" + Guid.NewGuid().ToString("N");
        using var meter = new Meter(meterName);
        using var exporter = new PrometheusExporter(meterName);
        ProcessMetrics.Register(meter);

        var text = exporter.Render();

        Assert.Contains("# TYPE process_cpu_seconds_total counter", text, StringComparison.Ordinal);
        Assert.Contains("process_resident_memory_bytes ", text, StringComparison.Ordinal);
        Assert.Contains("os_fd_limit ", text, StringComparison.Ordinal);
    }
}

using System.Diagnostics.Metrics;
using Kvasir.Server.Metrics;

namespace Kvasir.Server.Tests.Metrics;

public sealed class MetricFamilyTests
{
    [Fact]
    public void Render_UnlabelledCounterAndHistogramNeverRecorded_RenderedAtZero()
    {
        var meterName = "test-" + Guid.NewGuid().ToString("N");
        using var meter = new Meter(meterName);
        using var exporter = new PrometheusExporter(meterName);
        meter.CreateCounter<long>("etcd_server_health_failures", description: "The total number of failed health checks");
        meter.CreateHistogram("etcd_disk_backend_defrag_duration_seconds", "s", "defrag", null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.2] });
        meter.CreateHistogram("grpc_server_handling_seconds", "s", "handling", [new(MetricFamily.LabelledOnly, true)], new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1] });

        var text = exporter.Render();

        Assert.Contains("# TYPE etcd_server_health_failures counter\netcd_server_health_failures 0\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_disk_backend_defrag_duration_seconds_bucket{le=\"0.2\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("etcd_disk_backend_defrag_duration_seconds_count 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("grpc_server_handling_seconds", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_LabelledOnlyInstrumentRecorded_NoUnlabelledSeriesNorInstrumentTag()
    {
        var meterName = "test-" + Guid.NewGuid().ToString("N");
        using var meter = new Meter(meterName);
        using var exporter = new PrometheusExporter(meterName);
        var handling = meter.CreateHistogram("grpc_server_handling_seconds", "s", "handling", [new(MetricFamily.LabelledOnly, true)], new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1] });

        handling.Record(0.05, new KeyValuePair<string, object?>("grpc_method", "Range"));
        var text = exporter.Render();

        Assert.Contains("grpc_server_handling_seconds_bucket{grpc_method=\"Range\",le=\"0.1\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("grpc_server_handling_seconds_count 0", text, StringComparison.Ordinal);
        Assert.DoesNotContain("labelled_only", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_TaggedSeriesExists_AllocatesNothing()
    {
        var meterName = "test-" + Guid.NewGuid().ToString("N");
        using var meter = new Meter(meterName);
        using var exporter = new PrometheusExporter(meterName);
        var handled = meter.CreateCounter<long>("grpc_server_handled_total");
        var method = new KeyValuePair<string, object?>("grpc_method", "Range");
        var code = new KeyValuePair<string, object?>("grpc_code", "OK");
        handled.Add(1, method, code);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            handled.Add(1, code, method);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Contains("grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Range\"} 1001\n", exporter.Render(), StringComparison.Ordinal);
    }
}

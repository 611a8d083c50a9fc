using System.Text;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Metrics;

/// <summary><c>--metrics=extensive</c> on a real kvasir: <c>grpc_server_handling_seconds</c> is served, with go-grpc-prometheus' labels and buckets.</summary>
public sealed class ExtensiveMetricsTests
{
    [Fact]
    public async Task MetricsExtensive_AfterACall_HandlingHistogramServed()
    {
        await using var kvasir = await KvasirProcess.StartAsync(["--metrics=extensive"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"key":"Zm9v","value":"YmFy"}"""));
        using var put = await http.PostAsync(kvasir.ClientUrl + "/v3/kv/put", body);
        Assert.Equal(200, (int)put.StatusCode);

        var page = PrometheusText.Parse(await http.GetStringAsync(kvasir.ClientUrl + "/metrics"));

        Assert.Equal("histogram", page.Types["grpc_server_handling_seconds"]);
        Assert.Equal(["grpc_method", "grpc_service", "grpc_type"], page.LabelNames["grpc_server_handling_seconds"]);
        Assert.Equal([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], page.Buckets["grpc_server_handling_seconds"]);
        Assert.Equal(1, page.Samples["grpc_server_handling_seconds_count{grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}"]);
    }
}

using System.Text;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Gateway;

/// <summary><c>--enable-grpc-gateway=false</c>: no <c>/v3/...</c> path is served; /health and /metrics still are.</summary>
public sealed class GatewayDisabledTests
{
    [Fact]
    public async Task EnableGrpcGatewayFalse_V3Paths_NotFound()
    {
        await using var kvasir = await KvasirProcess.StartAsync(["--enable-grpc-gateway=false"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"key":"Zm9v"}"""));

        using var range = await http.PostAsync(kvasir.ClientUrl + "/v3/kv/range", body);
        using var beta = await http.PostAsync(kvasir.ClientUrl + "/v3beta/kv/range", body);
        using var health = await http.GetAsync(kvasir.ClientUrl + "/health");
        using var metrics = await http.GetAsync(kvasir.ClientUrl + "/metrics");

        Assert.Equal(404, (int)range.StatusCode);
        Assert.Equal("404 page not found\n", await range.Content.ReadAsStringAsync());
        Assert.Equal(404, (int)beta.StatusCode);
        Assert.Equal(200, (int)health.StatusCode);
        Assert.Equal(200, (int)metrics.StatusCode);
    }
}

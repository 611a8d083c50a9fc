using System.Text;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Gateway;

/// <summary>
/// The gateway's flags on a real kvasir: <c>--enable-grpc-gateway=false</c> (no <c>/v3/...</c> path is
/// served; /health and /metrics still are) and <c>--cors</c> with a list of origins.
/// </summary>
public sealed class GatewayFlagsTests
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

    [Fact]
    public async Task Cors_ListedOrigin_EchoedAndOthersGetNoHeaders()
    {
        await using var kvasir = await KvasirProcess.StartAsync(["--cors", "http://a.example,http://b.example"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        using var listed = new HttpRequestMessage(HttpMethod.Post, kvasir.ClientUrl + "/v3/maintenance/status") { Content = new StringContent("{}") };
        listed.Headers.Add("Origin", "http://b.example");
        using var other = new HttpRequestMessage(HttpMethod.Post, kvasir.ClientUrl + "/v3/maintenance/status") { Content = new StringContent("{}") };
        other.Headers.Add("Origin", "http://c.example");
        using var listedAnswer = await http.SendAsync(listed);
        using var otherAnswer = await http.SendAsync(other);

        Assert.Equal(200, (int)listedAnswer.StatusCode);
        Assert.Equal("http://b.example", string.Join(",", listedAnswer.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.Equal(200, (int)otherAnswer.StatusCode);
        Assert.False(otherAnswer.Headers.Contains("Access-Control-Allow-Origin"));
    }
}

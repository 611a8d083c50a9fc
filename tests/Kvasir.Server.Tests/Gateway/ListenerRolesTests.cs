using System.Text;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Gateway;

/// <summary>
/// <c>--listen-metrics-urls</c> (only /metrics and /health there) and <c>--listen-client-http-urls</c>
/// (the gateway there; the client URL then serves gRPC only), on a real kvasir process.
/// </summary>
public sealed class ListenerRolesTests
{
    [Fact]
    public async Task MetricsAndClientHttpUrls_EachListenerServesItsRole()
    {
        var metricsPort = FreePort.Next();
        var httpPort = FreePort.Next();
        await using var kvasir = await KvasirProcess.StartAsync(
        [
            "--listen-metrics-urls", $"http://127.0.0.1:{metricsPort}",
            "--listen-client-http-urls", $"http://127.0.0.1:{httpPort}",
        ]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        var metricsUrl = $"http://127.0.0.1:{metricsPort}";
        var httpUrl = $"http://127.0.0.1:{httpPort}";

        Assert.Equal(200, await StatusAsync(http, HttpMethod.Get, metricsUrl + "/metrics"));
        Assert.Equal(200, await StatusAsync(http, HttpMethod.Get, metricsUrl + "/health"));
        Assert.Equal(404, await StatusAsync(http, HttpMethod.Post, metricsUrl + "/v3/kv/range"));
        Assert.Equal(404, await StatusAsync(http, HttpMethod.Get, metricsUrl + "/version"));

        Assert.Equal(200, await StatusAsync(http, HttpMethod.Post, httpUrl + "/v3/kv/put"));
        Assert.Equal(200, await StatusAsync(http, HttpMethod.Get, httpUrl + "/version"));

        // The client URL serves gRPC only now.
        Assert.Equal(404, await StatusAsync(http, HttpMethod.Post, kvasir.ClientUrl + "/v3/kv/range"));
        var get = await Etcdctl.RunAsync(kvasir.Endpoint, "get", "foo");
        Assert.True(get.ExitCode == 0, get.Stderr);
        Assert.Contains("bar", get.Stdout, StringComparison.Ordinal);
    }

    private static async Task<int> StatusAsync(HttpClient http, HttpMethod method, string url)
    {
        using var request = new HttpRequestMessage(method, url);
        if (method == HttpMethod.Post)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"key":"Zm9v","value":"YmFy"}"""));
        }

        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }
}

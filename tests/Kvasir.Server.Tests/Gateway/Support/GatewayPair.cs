using System.Net.Http.Headers;
using System.Text;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Gateway.Support;

/// <summary>
/// A real kvasir member and a real etcd 3.4.23, side by side, each on its own free loopback ports, and
/// one HttpClient for both. Shared by the tests of one class (xunit runs them one at a time), which
/// send the same requests to both so that revisions stay equal. Disposing stops both processes by pid.
/// </summary>
public sealed class GatewayPair : IAsyncLifetime
{
    private EtcdServer? _etcd;
    private KvasirProcess? _kvasir;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(20) };

    public EtcdServer Etcd => _etcd ?? throw new InvalidOperationException("not started");

    public KvasirProcess Kvasir => _kvasir ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var etcd = EtcdServer.StartAsync();
        var kvasir = KvasirProcess.StartAsync();
        try
        {
            _etcd = await etcd;
        }
        finally
        {
            _kvasir = await kvasir;
        }
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_kvasir is not null)
        {
            await _kvasir.DisposeAsync();
        }

        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }
    }

    /// <summary>POSTs <paramref name="body"/> (sent as is, not re-encoded) to <paramref name="path"/> on <paramref name="baseUrl"/>.</summary>
    public async Task<GatewayAnswer> SendAsync(string baseUrl, HttpMethod method, string path, string? body, IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, baseUrl + path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        if (headers is not null)
        {
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await Http.SendAsync(request, cts.Token);
        var text = await response.Content.ReadAsStringAsync(cts.Token);
        return new GatewayAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType ?? "", text, response);
    }
}

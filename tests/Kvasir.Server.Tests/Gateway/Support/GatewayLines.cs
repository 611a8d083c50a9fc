using System.Text;

namespace Kvasir.Server.Tests.Gateway.Support;

/// <summary>
/// A streaming gateway call held open: the response's lines as they arrive, each read bounded.
/// Disposing closes the connection (the client going away, which ends a watch on the server).
/// </summary>
public sealed class GatewayLines : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;
    private readonly CancellationTokenSource _life;

    private GatewayLines(HttpResponseMessage response, StreamReader reader, CancellationTokenSource life)
    {
        _response = response;
        _reader = reader;
        _life = life;
    }

    public int Status => (int)_response.StatusCode;

    public static async Task<GatewayLines> OpenAsync(HttpClient http, string url, string body)
    {
        var life = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, life.Token);
        var stream = await response.Content.ReadAsStreamAsync(life.Token);
        return new GatewayLines(response, new StreamReader(stream, Encoding.UTF8), life);
    }

    /// <summary>The next line; null at the end of the stream. Fails after <paramref name="bound"/>.</summary>
    public async Task<string?> NextAsync(TimeSpan bound)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_life.Token);
        cts.CancelAfter(bound);
        try
        {
            return await _reader.ReadLineAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!_life.IsCancellationRequested)
        {
            throw new TimeoutException($"no line within {bound}");
        }
    }

    /// <summary>Every line to the end of the stream.</summary>
    public async Task<List<string>> ReadToEndAsync(TimeSpan bound)
    {
        var lines = new List<string>();
        while (await NextAsync(bound) is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        await _life.CancelAsync();
        _reader.Dispose();
        _response.Dispose();
        _life.Dispose();
    }
}

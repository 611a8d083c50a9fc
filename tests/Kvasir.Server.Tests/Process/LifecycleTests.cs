using System.Collections.Concurrent;
using System.Globalization;
using Kvasir.Grpc;
using Kvasir.Server.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Process;

/// <summary>Starting and stopping a real kvasir: graceful stop on SIGTERM, start-up refusals.</summary>
public sealed class LifecycleTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Sigterm_WhileWriting_StopsCleanlyAndKeepsEveryAcknowledgedWrite()
    {
        await using var member = await KvasirProcess.StartAsync();
        var acked = new ConcurrentDictionary<string, long>();
        using var kv = new Kv(member.Endpoint);
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var key = $"g/{w}/{i.ToString(CultureInfo.InvariantCulture)}";
                try
                {
                    acked[key] = (await kv.PutAsync(key, key)).Header.Revision;
                }
                catch (Exception e) when (e is RpcException or OperationCanceledException or HttpRequestException)
                {
                    return;
                }
            }
        })).ToArray();
        await Poll.UntilAsync(() => acked.Count >= 500, Bound, "500 acknowledged writes");

        member.Terminate();
        Assert.True(await member.Process.WaitForExitAsync(Bound), "kvasir did not stop on SIGTERM");
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        Assert.Equal(0, member.Process.ExitCode);
        Assert.Contains("stopped at applied index", member.Output, StringComparison.Ordinal);

        await member.RestartAsync(Bound);
        using var check = new Kv(member.Endpoint);
        var found = (await check.RangeAsync("g/", "g0")).Kvs.ToDictionary(k => k.Key.ToStringUtf8(), k => k.ModRevision);
        foreach (var (key, revision) in acked)
        {
            Assert.Equal(revision, found[key]);
        }
    }

    [Theory]
    [InlineData("joining an existing cluster is not supported yet", "--initial-cluster-state", "existing")]
    [InlineData("names 2 members", "--initial-cluster", "kvasir-test=http://127.0.0.1:{peer},other=http://127.0.0.1:1")]
    public async Task Start_BootstrapKvasirCannotDo_RefusedWithExitCode2(string message, string flag, string value)
    {
        using var dir = new TempDir("refused");
        var peer = FreePort.Next();
        var client = FreePort.Next();
        string[] args =
        [
            "--name", "kvasir-test", "--data-dir", dir.Sub("data"),
            "--listen-client-urls", $"http://127.0.0.1:{client}", "--advertise-client-urls", $"http://127.0.0.1:{client}",
            "--initial-advertise-peer-urls", $"http://127.0.0.1:{peer}", "--initial-cluster", $"kvasir-test=http://127.0.0.1:{peer}",
            flag, value.Replace("{peer}", peer.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal),
        ];
        var result = await KvasirProcess.RunAsync(args, Bound);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir.Sub("data"), "member", "wal")), "a refused start created a WAL");
    }
}

using Kvasir.Testing;

namespace Kvasir.Server.Tests.Process;

/// <summary>The <c>kvasir</c> executable as a user starts it: flags, exit codes, the endpoints it serves.</summary>
public sealed class KvasirExecutableTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("flag provided but not defined: -bogus", "--bogus")]
    [InlineData("invalid value \"abc\" for flag -snapshot-count: parse error", "--snapshot-count=abc")]
    [InlineData("'stray' is not a valid flag", "stray")]
    public async Task Run_BadFlags_ClearMessageAndExitCode2(string message, params string[] args)
    {
        var result = await KvasirProcess.RunAsync(args, Bound);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_BadEnvironmentValue_ExitCode2()
    {
        var result = await KvasirProcess.RunAsync([], Bound, new Dictionary<string, string> { ["ETCD_HEARTBEAT_INTERVAL"] = "fast" });
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("invalid value \"fast\" for ETCD_HEARTBEAT_INTERVAL: parse error", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_HelpAndVersion_ExitZero()
    {
        var help = await KvasirProcess.RunAsync(["--help"], Bound);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--listen-client-urls 'http://localhost:2379'", help.Stdout, StringComparison.Ordinal);

        var version = await KvasirProcess.RunAsync(["--version"], Bound);
        Assert.Equal(0, version.ExitCode);
        Assert.Contains("kvasir Version:", version.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ServesHealthVersionAndMetricsOnTheClientPort()
    {
        await using var member = await KvasirProcess.StartAsync();
        using var http = new HttpClient { Timeout = Bound };

        var version = await http.GetStringAsync($"{member.ClientUrl}/version");
        Assert.Contains("\"etcdserver\":\"3.4.23\"", version, StringComparison.Ordinal);

        var metrics = await http.GetStringAsync($"{member.ClientUrl}/metrics");
        Assert.Contains("# TYPE process_resident_memory_bytes gauge", metrics, StringComparison.Ordinal);

        // Logs are JSON lines on stderr.
        await member.Process.WaitForOutputAsync("\"msg\":\"member kvasir-test serving client requests", Bound);
    }
}

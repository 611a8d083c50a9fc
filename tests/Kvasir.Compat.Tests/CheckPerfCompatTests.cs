using System.Text.RegularExpressions;
using Kvasir.Compat.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Compat.Tests;

/// <summary>
/// etcdctl's own performance check (`check perf --load=s`: 50 clients, 150 puts a second for 60
/// seconds) against kvasir and etcd at the same time. Kvasir must pass every check. Both run on
/// the same two cores, so etcd itself may fail a check on a loaded machine: when it passes too, the
/// two reports must be the same once the figures are masked. Bounded at 120 seconds.
/// </summary>
public sealed partial class CheckPerfCompatTests(ServerPair pair) : IClassFixture<ServerPair>
{
    [Fact]
    public async Task CheckPerf_LoadS_PassesAsEtcdDoes()
    {
        var bound = TimeSpan.FromSeconds(120);
        var k = Etcdctl.RunAsync(pair.Kvasir.Endpoint, ["check", "perf", "--load=s"], timeout: bound);
        var e = Etcdctl.RunAsync(pair.Etcd.Endpoint, ["check", "perf", "--load=s"], timeout: bound);
        await Task.WhenAll(k, e);
        var kr = await k;
        var er = await e;
        Assert.False(kr.TimedOut, kr.ToString());
        Assert.True(kr.ExitCode == 0, $"check perf failed against kvasir: {kr}");
        Assert.Contains("PASS: Throughput is", kr.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", kr.Stdout, StringComparison.Ordinal);
        if (er.ExitCode == 0 && er.Stdout.Contains("PASS: Throughput is", StringComparison.Ordinal) && !er.Stdout.Contains("FAIL", StringComparison.Ordinal))
        {
            Assert.Equal(Mask(er.Stdout), Mask(kr.Stdout));
        }
    }

    // The report's figures vary run to run; its verdicts do not. The progress bar is dropped: it is
    // redrawn concurrently with the report, so on a loaded machine a verdict can follow it on its line.
    private static string Mask(string stdout) =>
        string.Join('\n', Verdicts().Matches(stdout).Select(m => Figures().Replace(m.Value, "<n>")));

    [GeneratedRegex("(PASS|FAIL)[^\r\n]*")]
    private static partial Regex Verdicts();

    [GeneratedRegex("[0-9]+(\\.[0-9]+)?")]
    private static partial Regex Figures();
}

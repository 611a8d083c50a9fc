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
        Assert.Equal(0, kr.ExitCode);
        Assert.Contains("PASS: Throughput is", kr.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("FAIL", kr.Stdout, StringComparison.Ordinal);
        if (er.ExitCode == 0 && er.Stdout.Contains("PASS: Throughput is", StringComparison.Ordinal) && !er.Stdout.Contains("FAIL", StringComparison.Ordinal))
        {
            Assert.Equal(Mask(er.Stdout), Mask(kr.Stdout));
        }
    }

    // The report's figures vary run to run; its lines and verdicts do not. The progress bar is dropped.
    private static string Mask(string stdout) =>
        string.Join('\n', stdout.Split('\n').Where(l => l.StartsWith("PASS", StringComparison.Ordinal) || l.StartsWith("FAIL", StringComparison.Ordinal) || l.Contains("too", StringComparison.Ordinal))
            .Select(l => Figures().Replace(l, "<n>")));

    [GeneratedRegex("[0-9]+(\\.[0-9]+)?")]
    private static partial Regex Figures();
}

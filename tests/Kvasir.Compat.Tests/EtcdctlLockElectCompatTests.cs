using System.Text.RegularExpressions;
using Kvasir.Compat.Tests.Support;
using Kvasir.Testing;
using Xunit.Abstractions;

namespace Kvasir.Compat.Tests;

/// <summary>
/// etcdctl 3.4.23's <c>lock</c> and <c>elect</c> (its concurrency recipes: a session lease, keys
/// under the name ordered by create revision, waits on the predecessor's deletion) against a real
/// kvasir process and a real etcd 3.4.23, side by side. Every wait is bounded; the scenarios run
/// on both servers at once and their normalized transcripts must be equal.
/// </summary>
public sealed partial class EtcdctlLockElectCompatTests(ServerPair pair, ITestOutputHelper output) : IClassFixture<ServerPair>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public Task Lock_WithCommand_RunsItHoldingTheLock() => CompareAsync("exit 0\nok lk/cmd/<lease> ", async endpoint =>
    {
        var r = await Etcdctl.RunAsync(endpoint, ["lock", "lk/cmd", "--", "sh", "-c", "echo ok $ETCD_LOCK_KEY $ETCD_LOCK_REV"], timeout: Bound);
        Assert.False(r.TimedOut, r.ToString());
        return $"exit {r.ExitCode}\n{r.Stdout}\n--- stderr\n{r.Stderr}";
    });

    [Fact]
    public Task Lock_TwoLockers_TheSecondWaitsUntilTheFirstReleases() => CompareAsync("second: exit 0\nlk/two/<lease>\n", async endpoint =>
    {
        using var first = Etcdctl.Start(endpoint, ["lock", "lk/two"]);
        await first.WaitForOutputAsync("lk/two/", Bound);
        using var second = Etcdctl.Start(endpoint, ["lock", "lk/two"]);

        // The second locker's key exists: it is queued behind the first, and cannot hold the lock while the first does.
        await WaitForKeysAsync(endpoint, "lk/two/", 2);
        Assert.Equal(string.Empty, second.Stdout);
        var held = await Etcdctl.RunAsync(endpoint, ["get", "lk/two/", "--prefix", "--keys-only", "--sort-by=CREATE"], timeout: Bound);

        first.Terminate();
        Assert.True(await first.WaitForExitAsync(Bound), "the first locker did not exit on SIGTERM");
        await second.WaitForOutputAsync("lk/two/", Bound);
        second.Terminate();
        Assert.True(await second.WaitForExitAsync(Bound), "the second locker did not exit on SIGTERM");
        await WaitForKeysAsync(endpoint, "lk/two/", 0);
        return $"first: exit {first.ExitCode}\n{first.Stdout}\nqueue:\n{held.Stdout}\nsecond: exit {second.ExitCode}\n{second.Stdout}\n--- stderr\n{first.Stderr}{second.Stderr}";
    });

    [Fact]
    public Task Elect_CampaignProclaimAndObserve_LeadershipPassesOnResign() => CompareAsync("candidate: exit 0\nel/one/<lease>\np2\n", async endpoint =>
    {
        using var leader = Etcdctl.Start(endpoint, ["elect", "el/one", "p1"]);
        await leader.WaitForOutputAsync("p1", Bound);
        using var observer = Etcdctl.Start(endpoint, ["elect", "-l", "el/one"]);
        await observer.WaitForOutputAsync("p1", Bound);
        using var candidate = Etcdctl.Start(endpoint, ["elect", "el/one", "p2"]);
        await WaitForKeysAsync(endpoint, "el/one/", 2);
        Assert.Equal(string.Empty, candidate.Stdout);

        // The leader resigns on SIGTERM: the candidate leads, and the observer sees its proclamation.
        leader.Terminate();
        Assert.True(await leader.WaitForExitAsync(Bound), "the leader did not exit on SIGTERM");
        await candidate.WaitForOutputAsync("p2", Bound);
        await observer.WaitForOutputAsync("p2", Bound);
        candidate.Terminate();
        observer.Terminate();
        Assert.True(await candidate.WaitForExitAsync(Bound), "the candidate did not exit on SIGTERM");
        Assert.True(await observer.WaitForExitAsync(Bound), "the observer did not exit on SIGTERM");
        var leaderOnly = await Etcdctl.RunAsync(endpoint, ["elect", "-l", "el/none"], timeout: TimeSpan.FromSeconds(2));
        return $"leader: exit {leader.ExitCode}\n{leader.Stdout}\ncandidate: exit {candidate.ExitCode}\n{candidate.Stdout}\nobserver:\n{observer.Stdout}\n" +
            $"no leader: {leaderOnly.Stdout}\n--- stderr\n{leader.Stderr}{candidate.Stderr}";
    });

    /// <summary>
    /// Runs the scenario on both servers at once and compares the transcripts with lease ids masked;
    /// <paramref name="expected"/>, a part of the transcript, proves the scenario did what it says.
    /// </summary>
    private async Task CompareAsync(string expected, Func<string, Task<string>> scenario)
    {
        var runs = await Task.WhenAll(scenario(pair.Kvasir.Endpoint), scenario(pair.Etcd.Endpoint));
        var kvasir = Normalize(runs[0]);
        var etcd = Normalize(runs[1]);
        output.WriteLine(kvasir);
        Assert.True(etcd == kvasir, $"=== etcd:\n{etcd}\n=== kvasir:\n{kvasir}");
        Assert.Contains(expected, kvasir, StringComparison.Ordinal);
    }

    private static Task WaitForKeysAsync(string endpoint, string prefix, int count) => Poll.UntilAsync(
        async () =>
        {
            var r = await Etcdctl.RunAsync(endpoint, ["get", prefix, "--prefix", "--keys-only"], timeout: Bound);
            return r.ExitCode == 0 && r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == count;
        },
        Bound,
        $"{count} keys under {prefix} on {endpoint}",
        TimeSpan.FromMilliseconds(100));

    // Keys under a lock or election name end in the session's lease id, in hex.
    private static string Normalize(string text) => EtcdctlOutput.Normalize(OwnerKey().Replace(text, "$1/<lease>"));

    [GeneratedRegex("((?:lk|el)/[a-z]+)/[0-9a-f]+")]
    private static partial Regex OwnerKey();
}

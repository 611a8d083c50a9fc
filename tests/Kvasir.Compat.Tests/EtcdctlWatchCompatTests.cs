using System.Text.Json;
using Kvasir.Compat.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Compat.Tests;

/// <summary>
/// The real etcdctl 3.4.23 <c>watch</c> running in the background against a real kvasir process and
/// a real etcd 3.4.23 while the test writes with etcdctl: what the watch prints must be equal once
/// normalized. Each scenario runs against kvasir, then against etcd, with the same writes, so the
/// two servers' revisions stay aligned. A watch is started only once the server counts its
/// watchers (etcd_debugging_mvcc_watcher_total), so no write can precede it.
/// </summary>
public sealed class EtcdctlWatchCompatTests(ServerPair pair) : IClassFixture<ServerPair>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public Task Watch_Prefix_SameOutputAsEtcd() => CompareAsync(
        _ => Task.FromResult<string[]>(["watch", "--prefix", "wp/"]),
        watchers: 1,
        async (endpoint, watch) =>
        {
            await PutAsync(endpoint, "wp/a", "1");
            await PutAsync(endpoint, "wp/b", "2");
            await PutAsync(endpoint, "wq/x", "not watched");
            await Run(endpoint, "del", "wp/a");
            await Run(endpoint, ["txn"], "\nput wp/c 3\ndel wp/b\n\n\n");
            await PutAsync(endpoint, "wp/end", "done");
            await watch.WaitForOutputAsync("done", Bound);
        });

    [Fact]
    public Task Watch_RevInThePast_ReplaysHistoryThenFollows() => CompareAsync(
        async endpoint =>
        {
            var first = await PutAsync(endpoint, "wr/k", "v1");
            await PutAsync(endpoint, "wr/k", "v2");
            await Run(endpoint, "del", "wr/k");
            return ["watch", $"--rev={first}", "wr/k"];
        },
        watchers: 1,
        async (endpoint, watch) =>
        {
            await watch.WaitForOutputAsync("DELETE", Bound);
            await PutAsync(endpoint, "wr/k", "done");
            await watch.WaitForOutputAsync("done", Bound);
        });

    [Fact]
    public Task Watch_PrevKvAndJson_SameOutputAsEtcd() => CompareAsync(
        _ => Task.FromResult<string[]>(["watch", "--prev-kv", "-w", "json", "--prefix", "wk/"]),
        watchers: 1,
        async (endpoint, watch) =>
        {
            await PutAsync(endpoint, "wk/k", "a");
            await PutAsync(endpoint, "wk/k", "b");
            await Run(endpoint, "del", "wk/k");
            await PutAsync(endpoint, "wk/z", "done");
            await watch.WaitForOutputAsync("ZG9uZQ==", Bound);
        });

    [Fact]
    public Task Watch_PrevKvPrefixAndRev_SameOutputAsEtcd() => CompareAsync(
        async endpoint =>
        {
            var first = await PutAsync(endpoint, "wx/a", "1");
            await PutAsync(endpoint, "wx/a", "2");
            return ["watch", "--prefix", "--prev-kv", $"--rev={first + 1}", "wx/"];
        },
        watchers: 1,
        async (endpoint, watch) =>
        {
            await Run(endpoint, "del", "wx/", "--prefix");
            await PutAsync(endpoint, "wx/b", "done");
            await watch.WaitForOutputAsync("done", Bound);
        });

    [Fact]
    public Task Watch_RangeAndFutureRev_SameOutputAsEtcd() => CompareAsync(
        async endpoint =>
        {
            var now = await PutAsync(endpoint, "wf/a", "before");
            return ["watch", $"--rev={now + 2}", "wf/a", "wf/c"];
        },
        watchers: 1,
        async (endpoint, watch) =>
        {
            await PutAsync(endpoint, "wf/a", "skipped: before the start");
            await PutAsync(endpoint, "wf/b", "1");
            await PutAsync(endpoint, "wf/c", "outside the range");
            await PutAsync(endpoint, "wf/a", "done");
            await watch.WaitForOutputAsync("done", Bound);
        });

    /// <summary>Runs the scenario against kvasir, then etcd, and compares what etcdctl watch printed.</summary>
    private async Task CompareAsync(Func<string, Task<string[]>> setup, int watchers, Func<string, ChildProcess, Task> writes)
    {
        var outputs = new List<string>();
        foreach (var (name, endpoint, url) in pair.Both)
        {
            await Poll.UntilAsync(async () => await ServerMetrics.WatchersAsync(url) == 0, Bound, $"{name}: the watchers of earlier tests to go");
            var args = await setup(endpoint);
            using var watch = Etcdctl.Start(endpoint, args);
            await Poll.UntilAsync(async () => await ServerMetrics.WatchersAsync(url) == watchers, Bound, $"{name}: etcdctl's watchers to be registered");
            await writes(endpoint, watch);
            watch.Kill();
            Assert.True(await watch.WaitForExitAsync(Bound), $"{name}: etcdctl watch did not exit");
            outputs.Add($"$ etcdctl {string.Join(' ', args)}\n{EtcdctlOutput.Normalize(watch.Stdout)}\n--- stderr\n{EtcdctlOutput.Normalize(watch.Stderr)}");
        }

        Assert.True(outputs[1] == outputs[0], $"=== etcd:\n{outputs[1]}\n=== kvasir:\n{outputs[0]}");
    }

    private static async Task<long> PutAsync(string endpoint, string key, string value)
    {
        var r = await Run(endpoint, "put", key, value, "-w", "json");
        return JsonDocument.Parse(r.Stdout).RootElement.GetProperty("header").GetProperty("revision").GetInt64();
    }

    private static Task<ProcessResult> Run(string endpoint, params string[] args) => Run(endpoint, args, null);

    private static async Task<ProcessResult> Run(string endpoint, string[] args, string? stdin)
    {
        var r = await Etcdctl.RunAsync(endpoint, args, stdin, Bound);
        Assert.True(r.ExitCode == 0, $"etcdctl {string.Join(' ', args)} against {endpoint}: {r}");
        return r;
    }
}

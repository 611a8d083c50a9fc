using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Tests.Watch.Support;
using Kvasir.Testing;
using Xunit.Abstractions;
using static Kvasir.Server.Tests.Watch.Support.HubHarness;

namespace Kvasir.Server.Tests.Watch;

/// <summary>
/// The real etcdctl 3.4.23 <c>watch</c> against Kvasir's Watch service and against a real etcd 3.4.23,
/// with the same writes made to both while it runs: the outputs must be equal once ids are masked.
/// Every test writes the same to both servers, so their revisions stay equal whatever the order.
/// </summary>
public sealed class WatchEtcdctlTests(WatchEtcdctlTests.Servers servers, ITestOutputHelper output) : IClassFixture<WatchEtcdctlTests.Servers>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public Task Watch_Prefix_SameOutputAsEtcd() => CompareAsync(
        ["watch", "--prefix", "w1/"],
        watchers: 1,
        async (t, watch) =>
        {
            await t.PutAsync("w1/a", "1");
            await t.PutAsync("w1/b", "2");
            await t.PutAsync("w2/x", "3");
            await t.DeleteAsync("w1/a");
            await t.TxnAsync(new TxnRequest
            {
                Success =
                {
                    new RequestOp { RequestPut = new PutRequest { Key = B("w1/c"), Value = B("4") } },
                    new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = B("w1/b") } },
                },
            });
            await t.PutAsync("w1/end", "done");
            await watch.WaitForOutputAsync("done", Bound);
        });

    [Fact]
    public Task Watch_PastRevision_SameOutputAsEtcd() => CompareAsync(
        t => t.PutAsync("w2/k", "v1"),
        first => ["watch", $"--rev={first}", "w2/k"],
        watchers: 1,
        async (t, watch) =>
        {
            await t.PutAsync("w2/k", "v2");
            await watch.WaitForOutputAsync("v2", Bound);
            await t.PutAsync("w2/k", "done");
            await watch.WaitForOutputAsync("done", Bound);
        });

    [Fact]
    public Task Watch_PrevKv_SameOutputAsEtcd() => CompareAsync(
        ["watch", "--prev-kv", "w3/k"],
        watchers: 1,
        async (t, watch) =>
        {
            await t.PutAsync("w3/k", "a");
            await t.PutAsync("w3/k", "b");
            await t.DeleteAsync("w3/k");
            await t.PutAsync("w3/k", "done");
            await watch.WaitForOutputAsync("done", Bound);
        });

    [Fact]
    public Task Watch_JsonOutput_SameResponsesAsEtcd() => CompareAsync(
        ["watch", "-w", "json", "--prefix", "w5/"],
        watchers: 1,
        async (t, watch) =>
        {
            await t.PutAsync("w5/a", "x");
            await t.DeleteAsync("w5/a");
            await t.PutAsync("w5/b", "done");
            await watch.WaitForOutputAsync("ZG9uZQ==", Bound);
        });

    [Fact]
    public Task Watch_Interactive_SameOutputAsEtcd() => CompareAsync(
        ["watch", "-i"],
        watchers: 2,
        async (t, watch) =>
        {
            await t.PutAsync("w4/a", "1");
            await watch.WaitForOutputAsync("w4/a\n1", Bound);
            await t.PutAsync("w4/p/1", "2");
            await watch.WaitForOutputAsync("w4/p/1\n2", Bound);
            watch.WriteStdin("progress\n");
            await Poll.UntilAsync(() => watch.Stdout.Split("progress notify").Length == 3, Bound, "a progress line from each watcher");
            await t.PutAsync("w4/a", "done");
            await watch.WaitForOutputAsync("done", Bound);
        },
        stdin: "watch w4/a\nwatch --prefix w4/p/\n");

    [Fact]
    public async Task Watch_CompactedRevision_SameErrorAsEtcd()
    {
        var outputs = await Task.WhenAll(Run(servers.Kvasir), Run(servers.Etcd));
        output.WriteLine(outputs[0]);
        Assert.Equal(outputs[1], outputs[0]);
        Assert.Contains("required revision has been compacted", outputs[0], StringComparison.Ordinal);

        static async Task<string> Run(IWatchTarget t)
        {
            var first = await t.PutAsync("w6/k", "x");
            var second = await t.PutAsync("w6/k", "y");
            await t.CompactAsync(second);
            var result = await Etcdctl.RunAsync(t.Endpoint, ["watch", $"--rev={first}", "w6/k"], timeout: Bound);
            Assert.False(result.TimedOut, $"{t.Name}: {result}");
            return $"exit {result.ExitCode}\n{EtcdctlOutput.Normalize(result.Stdout)}\n--\n{EtcdctlOutput.Normalize(result.Stderr)}";
        }
    }

    private Task CompareAsync(string[] args, int watchers, Func<IWatchTarget, ChildProcess, Task> writes, string? stdin = null) =>
        CompareAsync(_ => Task.FromResult(0L), _ => args, watchers, writes, stdin);

    /// <summary>Runs the same scenario against both servers at once and compares what etcdctl printed.</summary>
    private async Task CompareAsync(Func<IWatchTarget, Task<long>> before, Func<long, string[]> args, int watchers, Func<IWatchTarget, ChildProcess, Task> writes, string? stdin = null)
    {
        var outputs = await Task.WhenAll(RunAsync(servers.Kvasir), RunAsync(servers.Etcd));
        output.WriteLine(outputs[0]);
        Assert.Equal(outputs[1], outputs[0]);

        async Task<string> RunAsync(IWatchTarget t)
        {
            await Poll.UntilAsync(async () => await t.WatcherCountAsync() == 0, Bound, $"{t.Name}: watchers of earlier tests to go");
            var revision = await before(t);
            using var watch = Etcdctl.Start(t.Endpoint, args(revision));
            if (stdin is not null)
            {
                watch.WriteStdin(stdin);
            }

            await Poll.UntilAsync(async () => await t.WatcherCountAsync() == watchers, Bound, $"{t.Name}: etcdctl's watchers to be registered");
            await writes(t, watch);
            watch.Kill();
            Assert.True(await watch.WaitForExitAsync(Bound), $"{t.Name}: etcdctl did not exit");
            return EtcdctlOutput.Normalize(watch.Stdout) + "\n--\n" + EtcdctlOutput.Normalize(watch.Stderr);
        }
    }

    /// <summary>One Kvasir and one etcd for the class, written to identically.</summary>
    public sealed class Servers : IAsyncLifetime
    {
        internal IWatchTarget Kvasir { get; private set; } = null!;

        internal IWatchTarget Etcd { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var started = await Task.WhenAll(
                Task.Run(async () => (IWatchTarget)await KvasirTarget.StartAsync()),
                Task.Run(async () => (IWatchTarget)await EtcdTarget.StartAsync()));
            Kvasir = started[0];
            Etcd = started[1];
        }

        public async Task DisposeAsync()
        {
            await Kvasir.DisposeAsync();
            await Etcd.DisposeAsync();
        }
    }
}

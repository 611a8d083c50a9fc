using Kvasir.Grpc;
using Kvasir.Server.Config;
using Kvasir.Server.Hosting;
using Kvasir.Server.Tests.Support;
using Kvasir.Storage.IO;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Member;

/// <summary>A failed fsync of the WAL is fatal: the member stops at once, never retries, and the process exits non-zero with a clear line.</summary>
public sealed class FatalTests
{
    [Fact]
    public async Task WalSyncFails_HostRunning_RequestFailsAndRunExitsWithOne()
    {
        using var dir = new TempDir("fatal");
        var port = FreePort.Next();
        var url = $"http://127.0.0.1:{port}";
        var loaded = ConfigLoader.Load(["--data-dir", dir.Sub("data"), "--listen-client-urls", url, "--advertise-client-urls", url, "--log-level", "error"], new Dictionary<string, string>());
        var faults = new StorageFaults();
        var run = MemberHost.RunAsync(loaded, new MemberHostOptions { WalDevice = d => new FaultyStorageDevice(new FileStorageDevice(d), faults) });

        using var kv = new Kv($"127.0.0.1:{port}");
        await Poll.UntilAsync(async () => (await kv.PutAsync("before", "ok")).Header.Revision > 0, TimeSpan.FromSeconds(30), "the member to serve");

        faults.Fail(StorageOperation.Sync);
        var (code, message) = await kv.StatusOfAsync(Kvasir.Server.Services.EtcdMethods.Put, new Api.Etcdserverpb.PutRequest { Key = Kv.B("k"), Value = Kv.B("v") });
        Assert.Equal((StatusCode.Unavailable, "etcdserver: server stopped"), (code, message));
        Assert.Equal(1, await run.WaitAsync(TimeSpan.FromSeconds(30)));

        // The next start has every acknowledged write. The refused put's entry reached the page cache
        // before the fsync failed, so it may be replayed: its client was told "server stopped", never "done".
        await using var again = await InProcessMemberOn(dir);
        Assert.InRange(again.Server.Store.CurrentRevision, 2, 3);
    }

    private static Task<InProcessMember> InProcessMemberOn(TempDir dir) => InProcessMember.StartOnAsync(dir.Sub("data"));
}

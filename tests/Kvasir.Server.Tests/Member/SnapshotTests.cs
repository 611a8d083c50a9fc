using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Server.Tests.Support;
using Kvasir.Storage.IO;
using Kvasir.Storage.Wal;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Member;

/// <summary>Raft snapshots: the WAL and the snapshot files stay few, and a restart replays only what follows the last snapshot.</summary>
public sealed class SnapshotTests
{
    [Fact]
    public async Task Snapshots_Count100AfterThousandsOfWrites_FewSegmentsAndFilesAndShortReplay()
    {
        await using var m = await InProcessMember.StartAsync(
            null,
            "--snapshot-count", "100",
            "--snapshot-catchup-entries", "50",
            "--wal-segment-bytes", "16384",
            "--max-wals", "3",
            "--max-snapshots", "2");
        const int writers = 16;
        const int perWriter = 200;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async w =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                await m.PutAsync($"w{w}/{i}", new string('x', 100));
            }
        }));

        var applied = m.Server.AppliedIndex;
        await Poll.UntilAsync(() => m.Server.SnapshotIndex + 101 >= applied, TimeSpan.FromSeconds(30), "a snapshot near the applied index");
        var walDir = Path.Combine(m.DataDir, "member", "wal");
        var snapDir = Path.Combine(m.DataDir, "member", "snap");

        // Thousands of entries of ~150 bytes fill far more than three 16 KiB segments; released ones are gone.
        Assert.InRange(Directory.GetFiles(walDir, "*.wal").Length, 1, 4);
        Assert.InRange(Directory.GetFiles(snapDir, "*.snap").Length, 1, 2);

        await m.RestartAsync();
        Assert.Equal(1 + (writers * perWriter), m.Server.Store.CurrentRevision);
        Assert.Equal(writers * perWriter, m.Server.Store.Range(new RangeRequest { Key = ByteString.CopyFromUtf8("w"), RangeEnd = ByteString.CopyFromUtf8("x"), CountOnly = true }).Response!.Count);

        // The restart read only the WAL after the newest snapshot: a few hundred entries at most, not thousands.
        await m.Server.StopAsync(CancellationToken.None);
        using var device = new FileStorageDevice(walDir, create: false);
        var markers = WriteAheadLog.ReadSnapshotMarkers(device);
        Assert.NotEmpty(markers);
        var newest = markers[^1];
        var log = WriteAheadLog.Read(device, new WalSnapshot(newest.Index, newest.Term));
        Assert.InRange(log.Entries.Count, 0, 400);
    }
}

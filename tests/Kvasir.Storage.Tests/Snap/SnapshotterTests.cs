using Kvasir.Raft;
using Kvasir.Storage.IO;
using Kvasir.Storage.Snap;

namespace Kvasir.Storage.Tests.Snap;

public sealed class SnapshotterTests
{
    private static SnapshotMetadata Meta(ulong index, ulong term) =>
        new() { Index = index, Term = term, ConfState = new ConfState { Voters = { 1, 2, 3 }, Learners = { 4 } } };

    [Fact]
    public void Save_ThenLoadNewest_ReturnsMetadataAndPayload()
    {
        var device = new MemoryStorageDevice("snap");
        var snapshotter = new Snapshotter(device);
        var name = snapshotter.Save(Meta(100, 3), "members"u8);
        Assert.Equal("0000000000000003-0000000000000064.snap", name);

        var loaded = snapshotter.LoadNewest();
        Assert.Empty(loaded.Skipped);
        Assert.Equal(Meta(100, 3), loaded.Snapshot!.Metadata);
        Assert.Equal("members"u8.ToArray(), loaded.Snapshot.Payload);
        Assert.Equal(device.PathOf(name), loaded.Snapshot.File);
    }

    [Fact]
    public void Save_OnDisk_SurvivesAndLeavesNoTemporaryFile()
    {
        using var dir = new Kvasir.Testing.TempDir("kvasir-snap");
        new Snapshotter(dir.Path).Save(Meta(7, 1), [1, 2, 3]);
        Assert.Equal(["0000000000000001-0000000000000007.snap"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        Assert.Equal([1, 2, 3], new Snapshotter(dir.Path).LoadNewest().Snapshot!.Payload);
    }

    [Fact]
    public void Save_NotSynced_CrashLeavesWholeFileOrNone()
    {
        var device = new MemoryStorageDevice("snap");
        new Snapshotter(device).Save(Meta(5, 1), new byte[3000]);
        for (var seed = 0; seed < 20; seed++)
        {
            var copy = device.Clone();
            var snapshotter = new Snapshotter(copy);
            snapshotter.Save(Meta(9, 2), new byte[5000]);
            var rebooted = copy.Crash(MemoryCrash.TornSectors, new Random(seed));
            var loaded = new Snapshotter(rebooted).LoadNewest();
            Assert.Empty(loaded.Skipped);
            Assert.Contains(loaded.Snapshot!.Metadata.Index, new ulong[] { 5, 9 });
        }
    }

    [Fact]
    public void LoadNewest_NewestCorrupt_SkipsAndReportsIt()
    {
        var device = new MemoryStorageDevice("snap");
        var snapshotter = new Snapshotter(device);
        snapshotter.Save(Meta(10, 1), [1]);
        var newest = snapshotter.Save(Meta(20, 2), [2]);
        device.FlipBit(newest, 30, 4);

        var loaded = snapshotter.LoadNewest();
        Assert.Equal(10UL, loaded.Snapshot!.Metadata.Index);
        var skipped = Assert.Single(loaded.Skipped);
        Assert.Equal(device.PathOf(newest), skipped.File);
        Assert.Contains("CRC mismatch", skipped.Reason, StringComparison.Ordinal);
    }

    public static TheoryData<string, string> Damages => new()
    {
        { "truncated", "payload length" },
        { "empty", "shorter than any snapshot file" },
        { "magic", "bad magic" },
        { "version", "format version 9" },
        { "renamed", "its name says index 30" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void Read_DamagedFile_ThrowsNamingTheFileAndReason(string damage, string reason)
    {
        var device = new MemoryStorageDevice("snap");
        var snapshotter = new Snapshotter(device);
        var name = snapshotter.Save(Meta(20, 2), [1, 2, 3, 4]);
        var bytes = device.ReadAllBytes(name);
        switch (damage)
        {
            case "truncated":
                device.WriteAllBytes(name, bytes[..^2]);
                break;
            case "empty":
                device.WriteAllBytes(name, []);
                break;
            case "magic":
                bytes[0] ^= 1;
                device.WriteAllBytes(name, bytes);
                break;
            case "version":
                bytes[8] = 9;
                device.WriteAllBytes(name, bytes);
                break;
            case "renamed":
                device.Rename(name, "0000000000000002-000000000000001e.snap");
                name = "0000000000000002-000000000000001e.snap";
                break;
        }

        var error = Assert.Throws<SnapCorruptException>(() => snapshotter.Read(name));
        Assert.Equal(device.PathOf(name), error.File);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Null(snapshotter.LoadNewest().Snapshot);
    }

    [Fact]
    public void LoadNewestAvailable_NewestWithoutWalMarker_FallsBackToOneWithMarker()
    {
        var snapshotter = new Snapshotter(new MemoryStorageDevice("snap"));
        snapshotter.Save(Meta(10, 1), [1]);
        snapshotter.Save(Meta(20, 2), [2]);
        snapshotter.Save(Meta(30, 2), [3]);

        var loaded = snapshotter.LoadNewestAvailable([new SnapshotMetadata(), Meta(10, 1), Meta(20, 2)]);
        Assert.Equal(20UL, loaded.Snapshot!.Metadata.Index);
        Assert.Contains("no marker", Assert.Single(loaded.Skipped).Reason, StringComparison.Ordinal);

        var none = snapshotter.LoadNewestAvailable([new SnapshotMetadata()]);
        Assert.Null(none.Snapshot);
        Assert.Equal(3, none.Skipped.Count);
    }

    [Fact]
    public void Purge_KeepsTheNewestN()
    {
        var device = new MemoryStorageDevice("snap");
        var snapshotter = new Snapshotter(device);
        for (ulong i = 1; i <= 8; i++)
        {
            snapshotter.Save(Meta(i * 10, 1 + (i / 4)), [(byte)i]);
        }

        device.WriteAllBytes("0000000000000001-0000000000000099.snap.tmp", [0]);
        var deleted = snapshotter.Purge(5);
        Assert.Equal(4, deleted.Count);
        Assert.Equal([80UL, 70, 60, 50, 40], snapshotter.SnapshotFiles().Select(f => SnapName.TryParse(f, out var n) ? n.Index : 0));
        Assert.DoesNotContain(snapshotter.Purge(0), f => f.EndsWith(".snap", StringComparison.Ordinal));
        Assert.Throws<ArgumentOutOfRangeException>(() => snapshotter.Purge(-1));
    }

    [Theory]
    [InlineData(0UL, 1UL)]
    [InlineData(5UL, 0UL)]
    public void Save_EmptySnapshot_ThrowsAndWritesNothing(ulong index, ulong term)
    {
        var device = new MemoryStorageDevice("snap");
        Assert.Throws<ArgumentException>(() => new Snapshotter(device).Save(new SnapshotMetadata { Index = index, Term = term }, []));
        Assert.Empty(device.ListFiles());
    }

    [Fact]
    public void Read_NotASnapshotName_Throws()
    {
        var device = new MemoryStorageDevice("snap");
        device.WriteAllBytes("db", [1, 2, 3]);
        Assert.Throws<SnapCorruptException>(() => new Snapshotter(device).Read("db"));
        Assert.Null(new Snapshotter(device).LoadNewest().Snapshot);
    }
}

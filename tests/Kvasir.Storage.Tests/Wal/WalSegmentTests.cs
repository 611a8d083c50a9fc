using Kvasir.Raft;
using Kvasir.Storage.IO;
using Kvasir.Storage.Wal;
using static Kvasir.Storage.Tests.Wal.WalTestData;

namespace Kvasir.Storage.Tests.Wal;

public sealed class WalSegmentTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SaveAsync_PastTheSegmentSize_CutsNamedSegmentsThatReadBack(bool background)
    {
        var device = new MemoryStorageDevice();
        var options = Options(segmentBytes: 4096, background: background);
        await using (var wal = WriteAheadLog.Create(device, Metadata, options))
        {
            for (ulong i = 1; i <= 60; i++)
            {
                await wal.SaveAsync(new HardState { Term = 1, Vote = 3, Commit = i - 1 }, [Entry(i, 1, 300)], None);
            }

            Assert.True(wal.Statistics.SegmentsCut >= 4);
        }

        var names = WalAppendTests.WalFileNames(device);
        Assert.Equal(names.Count, WalDump.Read(device).Count);
        ulong previousIndex = 0;
        for (var i = 0; i < names.Count; i++)
        {
            Assert.True(WalSegmentName.TryParse(names[i], out var name));
            Assert.Equal((ulong)i, name.Seq);
            Assert.True(name.Index >= previousIndex);
            previousIndex = name.Index;
            var length = device.ReadAllBytes(names[i]).Length;
            if (i < names.Count - 1)
            {
                Assert.Equal(WalDump.Read(device)[i].EndOffset, length);
                Assert.True(length <= 4096);
            }
            else
            {
                Assert.Equal(4096, length);
            }
        }

        Assert.DoesNotContain(device.ListFiles(), f => f.EndsWith(".tmp", StringComparison.Ordinal));
        var read = WriteAheadLog.Read(device, WalSnapshot.None);
        Assert.Equal(Entries(1, 60, 1, 300), read.Entries);
        Assert.Equal(new HardState { Term = 1, Vote = 3, Commit = 59 }, read.HardState);
    }

    [Fact]
    public async Task Cut_NewSegment_BeginsWithMetadataAndHardState()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 4096)))
        {
            await wal.SaveAsync(new HardState { Term = 4, Vote = 2, Commit = 1 }, Entries(1, 1, 4, 300), None);
            await wal.SaveAsync(null, Entries(2, 20, 4, 300), None);
        }

        var second = WalDump.Read(device)[1];
        Assert.Equal(
            [WalRecordType.SegmentHeader, WalRecordType.Metadata, WalRecordType.HardState],
            second.Records.Take(3).Select(r => r.Type));
        Assert.Equal(WalSegmentName.TryParse(Path.GetFileName(second.File), out var name) ? name.Index : 0, ParseIndex(second.Records[3].Summary));
    }

    [Fact]
    public async Task ReleaseTo_AfterSnapshot_DeletesSegmentsWhollyBeforeItKeepingMaxWals()
    {
        var device = new MemoryStorageDevice();
        var options = Options(segmentBytes: 4096, maxWals: 2);
        await using (var wal = WriteAheadLog.Create(device, Metadata, options))
        {
            await wal.SaveAsync(new HardState { Term = 1, Commit = 100 }, Entries(1, 100, 1, 300), None);
            var all = wal.SegmentFiles;
            Assert.True(all.Count > 6);
            await wal.SaveSnapshotAsync(new SnapshotMetadata { Index = 60, Term = 1, ConfState = new ConfState { Voters = { 1, 2, 3 } } }, None);
            var deleted = wal.ReleaseTo(60);

            Assert.NotEmpty(deleted);
            Assert.Equal(all.Take(deleted.Count), deleted);
            Assert.True(wal.SegmentFiles.Count >= 2);
            Assert.True(WalSegmentName.TryParse(wal.SegmentFiles[0], out var oldest) && oldest.Index <= 60);
            Assert.True(WalSegmentName.TryParse(wal.SegmentFiles[1], out var next) && next.Index > 60 - 20);
            await wal.SaveAsync(null, Entries(101, 105, 1, 300), None);
        }

        await using var reopened = WriteAheadLog.Open(device, new WalSnapshot(60, 1), options);
        Assert.Equal(Entries(61, 105, 1, 300), reopened.Recovered.Entries);
        Assert.Throws<WalException>(() => WriteAheadLog.Read(device, WalSnapshot.None));
    }

    [Fact]
    public async Task ReleaseTo_MaxWalsZero_KeepsEverySegment()
    {
        var device = new MemoryStorageDevice();
        await using var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 4096, maxWals: 0));
        await wal.SaveAsync(new HardState { Term = 1, Commit = 50 }, Entries(1, 50, 1, 300), None);
        await wal.SaveSnapshotAsync(new SnapshotMetadata { Index = 50, Term = 1 }, None);
        var before = wal.SegmentFiles;
        Assert.Empty(wal.ReleaseTo(50));
        Assert.Equal(before, WalAppendTests.WalFileNames(device));
    }

    [Fact]
    public async Task SaveSnapshotAsync_AboveLastIndex_RestartsTheLogAfterIt()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options()))
        {
            await wal.SaveAsync(new HardState { Term = 1, Commit = 3 }, Entries(1, 5, 1), None);
            await wal.SaveSnapshotAsync(new SnapshotMetadata { Index = 100, Term = 3 }, None);
            Assert.Equal(100UL, wal.LastIndex);
            await wal.SaveAsync(new HardState { Term = 3, Commit = 100 }, Entries(101, 102, 3), None);
        }

        await using var reopened = WriteAheadLog.Open(device, new WalSnapshot(100, 3), Options());
        Assert.Equal(Entries(101, 102, 3), reopened.Recovered.Entries);
        Assert.Equal(102UL, reopened.LastIndex);
    }

    [Fact]
    public async Task CreateFromSnapshot_Restored_OpensAtTheSnapshotAndTakesTheNextIndex()
    {
        var device = new MemoryStorageDevice();
        var snapshot = new SnapshotMetadata { Index = 500, Term = 7, ConfState = new ConfState { Voters = { 11 } } };
        await using (var wal = WriteAheadLog.CreateFromSnapshot(device, Metadata, snapshot, new HardState { Term = 7, Commit = 500 }, Options()))
        {
            Assert.Equal(500UL, wal.LastIndex);
            await Assert.ThrowsAsync<ArgumentException>(async () => await wal.SaveAsync(null, Entries(500, 500, 7), None));
            await wal.SaveAsync(null, Entries(501, 503, 7), None);
        }

        Assert.Equal(["0000000000000000-00000000000001f4.wal"], WalAppendTests.WalFileNames(device));
        Assert.Equal([500UL], WriteAheadLog.ReadSnapshotMarkers(device).Select(m => m.Index));
        await using var reopened = WriteAheadLog.Open(device, new WalSnapshot(500, 7), Options());
        Assert.Equal(Entries(501, 503, 7), reopened.Recovered.Entries);
        Assert.Equal(new HardState { Term = 7, Commit = 500 }, reopened.Recovered.HardState);
    }

    [Fact]
    public async Task ReadSnapshotMarkers_MarkerAboveCommit_IsNotOffered()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options()))
        {
            await wal.SaveAsync(new HardState { Term = 1, Commit = 4 }, Entries(1, 10, 1), None);
            await wal.SaveSnapshotAsync(new SnapshotMetadata { Index = 4, Term = 1 }, None);
            await wal.SaveSnapshotAsync(new SnapshotMetadata { Index = 8, Term = 1 }, None);
        }

        Assert.Equal([0UL, 4UL], WriteAheadLog.ReadSnapshotMarkers(device).Select(m => m.Index));
    }

    [Fact]
    public async Task Open_LeftoverTemporaryFiles_DeletesThem()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options()))
        {
            await wal.SaveAsync(null, Entries(1, 2, 1), None);
        }

        device.WriteAllBytes("segment-7.tmp", new byte[100]);
        device.WriteAllBytes("0000000000000001-0000000000000003.wal.tmp", new byte[100]);
        await using var reopened = WriteAheadLog.Open(device, WalSnapshot.None, Options());
        Assert.DoesNotContain(device.ListFiles(), f => f.EndsWith(".wal.tmp", StringComparison.Ordinal) || f == "segment-7.tmp");
        Assert.Equal(Entries(1, 2, 1), reopened.Recovered.Entries);
    }

    private static ulong ParseIndex(string summary) => ulong.Parse(summary.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
}

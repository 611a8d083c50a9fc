using Kvasir.Raft;
using Kvasir.Storage.IO;
using Kvasir.Storage.Wal;
using static Kvasir.Storage.Tests.Wal.WalTestData;

namespace Kvasir.Storage.Tests.Wal;

public sealed class WalDumpTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Write_HealthyWal_ListsEveryRecordDecoded()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options()))
        {
            await wal.SaveAsync(new HardState { Term = 3, Vote = 2, Commit = 1 }, Entries(1, 2, 3), None);
            await wal.SaveSnapshotAsync(new SnapshotMetadata { Index = 1, Term = 3, ConfState = new ConfState { Voters = { 1, 2 } } }, None);
        }

        var text = new StringWriter();
        WalDump.Write(device, text);
        var dump = text.ToString();
        Assert.Contains("SegmentHeader", dump, StringComparison.Ordinal);
        Assert.Contains("version 1 seq 0 index 0", dump, StringComparison.Ordinal);
        Assert.Contains($"cluster {Metadata.ClusterId:x16} member {Metadata.MemberId:x16}", dump, StringComparison.Ordinal);
        Assert.Contains("index 2 term 3 EntryNormal data 100 bytes", dump, StringComparison.Ordinal);
        Assert.Contains("term 3 vote 2 commit 1", dump, StringComparison.Ordinal);
        Assert.Contains("index 1 term 3 voters [1,2] learners []", dump, StringComparison.Ordinal);
        Assert.DoesNotContain("problem", dump, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_CorruptEarlierSegment_ReportsItAndStillReadsTheOthers()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 4096)))
        {
            await wal.SaveAsync(null, Entries(1, 40, 1, 300), None);
        }

        var names = WalAppendTests.WalFileNames(device);
        var victim = WalDump.Read(device)[0].Records[5];
        device.FlipBit(names[0], victim.Offset + 14, 1);
        var before = device.ReadAllBytes(names[0]);

        var segments = WalDump.Read(device);
        Assert.Equal(names.Count, segments.Count);
        Assert.Contains($"offset {victim.Offset}", segments[0].Problem, StringComparison.Ordinal);
        Assert.Equal(5, segments[0].Records.Count);
        Assert.All(segments.Skip(1), s => Assert.Null(s.Problem));
        Assert.Equal(before, device.ReadAllBytes(names[0]));
    }

    [Fact]
    public async Task Read_TornTail_ReportsWithoutCutting()
    {
        var device = await WalRepairTests.WriteAsync(lastEntrySize: 400);
        var (segment, last) = WalRepairTests.LastRecord(device);
        device.SetLength(segment, last.Offset + 50);
        var segments = WalDump.Read(device);
        Assert.Equal(last.Offset, segments[^1].Torn?.Offset);
        Assert.Null(segments[^1].Problem);
        Assert.Equal(last.Offset + 50, device.ReadAllBytes(segment).Length);
    }
}

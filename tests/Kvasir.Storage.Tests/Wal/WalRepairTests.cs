using Kvasir.Raft;
using Kvasir.Storage.IO;
using Kvasir.Storage.Wal;
using static Kvasir.Storage.Tests.Wal.WalTestData;

namespace Kvasir.Storage.Tests.Wal;

/// <summary>Opening after damage: a torn tail is cut off and reported; damage before it is refused, naming file and offset.</summary>
public sealed class WalRepairTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Open_LastRecordTruncatedAtEveryOffset_CutsItAndKeepsTheRest()
    {
        var device = await WriteAsync(lastEntrySize: 700);
        var (segment, last) = LastRecord(device);
        var end = last.Offset + RecordBytes(last);
        for (var cut = last.Offset; cut < end; cut++)
        {
            var copy = device.Clone();
            copy.SetLength(segment, cut);
            await using (var wal = WriteAheadLog.Open(copy, WalSnapshot.None, Options()))
            {
                Assert.Equal(Entries(1, 9, 1), wal.Recovered.Entries);
                if (cut == last.Offset)
                {
                    Assert.Null(wal.Recovered.TornTail);
                }
                else
                {
                    var torn = Assert.IsType<WalTornTail>(wal.Recovered.TornTail);
                    Assert.Equal(last.Offset, torn.Offset);
                    Assert.Equal(copy.PathOf(segment), torn.File);
                }

                if (cut % 5 == 0)
                {
                    await wal.SaveAsync(null, [Entry(10, 2, 300)], None);
                }
            }

            var expected = cut % 5 == 0 ? [.. Entries(1, 9, 1), Entry(10, 2, 300)] : Entries(1, 9, 1);
            Assert.Equal(expected, WriteAheadLog.Read(copy, WalSnapshot.None).Entries);
        }
    }

    [Fact]
    public async Task Open_LastRecordTruncatedAtEveryOffsetOnDisk_CutsItAndKeepsTheRest()
    {
        using var dir = new Kvasir.Testing.TempDir("kvasir-wal");
        var source = Path.Combine(dir.Path, "source");
        await using (var wal = WriteAheadLog.Create(source, Metadata, Options()))
        {
            await wal.SaveAsync(new HardState { Term = 1, Commit = 9 }, Entries(1, 9, 1, 200), None);
            await wal.SaveAsync(null, [Entry(10, 1, 120)], None);
        }

        var (segment, last) = LastRecord(new FileStorageDevice(source, create: false));
        var end = last.Offset + RecordBytes(last);
        var target = Path.Combine(dir.Path, "target");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source, "*.wal"))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        var original = await File.ReadAllBytesAsync(Path.Combine(source, segment));
        for (var cut = last.Offset; cut < end; cut++)
        {
            await File.WriteAllBytesAsync(Path.Combine(target, segment), original.AsMemory(0, (int)cut));
            await using var wal = WriteAheadLog.Open(target, WalSnapshot.None, Options());
            Assert.Equal(Entries(1, 9, 1, 200), wal.Recovered.Entries);
            Assert.Equal(cut == last.Offset, wal.Recovered.TornTail is null);
            Assert.Equal(Options().SegmentBytes, new FileInfo(Path.Combine(target, segment)).Length);
        }
    }

    [Fact]
    public async Task Open_SectorsOfLastRecordNeverWritten_CutsIt()
    {
        var device = await WriteAsync(lastEntrySize: 1500);
        var (segment, last) = LastRecord(device);
        var end = last.Offset + RecordBytes(last);
        var firstSector = (last.Offset / 512) + 1;
        for (var sector = firstSector; sector * 512 < end; sector++)
        {
            var copy = device.Clone();
            var bytes = copy.ReadAllBytes(segment);
            bytes.AsSpan((int)(sector * 512), 512).Clear();
            copy.WriteAllBytes(segment, bytes);
            var read = WriteAheadLog.Read(copy, WalSnapshot.None);
            Assert.Equal(Entries(1, 9, 1), read.Entries);
            Assert.Equal(last.Offset, read.TornTail?.Offset);
        }
    }

    [Fact]
    public async Task Open_UnwrittenSectorInsideLastBatch_CutsFromThereIncludingIntactRecordsAfter()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 64 * 1024)))
        {
            await wal.SaveAsync(null, Entries(1, 3, 1, 100), None);
            await wal.SaveAsync(null, Entries(4, 20, 1, 150), None);
        }

        var segment = WalAppendTests.WalFileNames(device)[^1];
        var records = WalDump.Read(device)[^1].Records;
        var entry4 = records.First(r => r.Summary.StartsWith("index 4 ", StringComparison.Ordinal));
        var hole = (entry4.Offset / 512) + 2;
        var bytes = device.ReadAllBytes(segment);
        bytes.AsSpan((int)(hole * 512), 512).Clear();
        device.WriteAllBytes(segment, bytes);

        await using var reopened = WriteAheadLog.Open(device, WalSnapshot.None, Options(segmentBytes: 64 * 1024));
        var torn = Assert.IsType<WalTornTail>(reopened.Recovered.TornTail);
        var kept = reopened.Recovered.Entries;
        Assert.True(kept.Count is >= 3 and < 20);
        Assert.Equal(Entries(1, (ulong)kept.Count, 1, 100)[..3], kept.Take(3));
        Assert.True(torn.Offset <= hole * 512);
        Assert.True(torn.DiscardedBytes > 512);
        Assert.All(kept, e => Assert.True(IsGenuine(e)));
    }

    [Fact]
    public async Task Open_FlippedBitAnywhereInAMiddleRecord_RefusesNamingFileAndOffset()
    {
        var device = await WriteAsync(lastEntrySize: 100);
        var segment = WalAppendTests.WalFileNames(device)[^1];
        var middle = WalDump.Read(device)[^1].Records.First(r => r.Summary.StartsWith("index 5 ", StringComparison.Ordinal));
        var before = device.ReadAllBytes(segment);
        for (var at = middle.Offset; at < middle.Offset + RecordBytes(middle); at++)
        {
            var copy = device.Clone();
            copy.FlipBit(segment, at, (int)(at % 8));
            var error = Assert.Throws<WalCorruptException>(() => WriteAheadLog.Open(copy, WalSnapshot.None, Options()));
            Assert.Equal(copy.PathOf(segment), error.File);
            Assert.Equal(middle.Offset, error.Offset);
            Assert.Contains(copy.PathOf(segment), error.Message, StringComparison.Ordinal);
            Assert.Contains($"offset {middle.Offset}", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal(before, device.ReadAllBytes(segment));
    }

    [Fact]
    public async Task Open_FlippedBitInLastRecord_RefusesBecauseNoCrashFlipsBits()
    {
        var device = await WriteAsync(lastEntrySize: 300);
        var (segment, last) = LastRecord(device);
        var copy = device.Clone();
        copy.FlipBit(segment, last.Offset + 40, 3);
        var error = Assert.Throws<WalCorruptException>(() => WriteAheadLog.Open(copy, WalSnapshot.None, Options()));
        Assert.Equal(last.Offset, error.Offset);
        Assert.Contains("CRC mismatch", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_FlippedBitInEarlierSegment_Refuses()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 4096)))
        {
            await wal.SaveAsync(null, Entries(1, 40, 1, 300), None);
        }

        var first = WalAppendTests.WalFileNames(device)[0];
        var record = WalDump.Read(device)[0].Records[^1];
        device.FlipBit(first, record.Offset + 20, 0);
        var error = Assert.Throws<WalCorruptException>(() => WriteAheadLog.Open(device, WalSnapshot.None, Options(segmentBytes: 4096)));
        Assert.Equal(device.PathOf(first), error.File);
        Assert.Equal(record.Offset, error.Offset);
    }

    [Fact]
    public async Task Open_TruncatedEarlierSegment_Refuses()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 4096)))
        {
            await wal.SaveAsync(null, Entries(1, 40, 1, 300), None);
        }

        var first = WalAppendTests.WalFileNames(device)[0];
        var record = WalDump.Read(device)[0].Records[^1];
        device.SetLength(first, record.Offset + 30);
        var error = Assert.Throws<WalCorruptException>(() => WriteAheadLog.Open(device, WalSnapshot.None, Options(segmentBytes: 4096)));
        Assert.Equal(record.Offset, error.Offset);
        Assert.Contains("not the last", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_ZeroHeaderFollowedByDataInSameSector_Refuses()
    {
        var device = await WriteAsync(lastEntrySize: 100);
        var segment = WalAppendTests.WalFileNames(device)[^1];
        var record = WalDump.Read(device)[^1].Records.First(r => r.Summary.StartsWith("index 3 ", StringComparison.Ordinal));
        var bytes = device.ReadAllBytes(segment);
        bytes.AsSpan((int)record.Offset, 8).Clear();
        device.WriteAllBytes(segment, bytes);
        var error = Assert.Throws<WalCorruptException>(() => WriteAheadLog.Read(device, WalSnapshot.None));
        Assert.Equal(record.Offset, error.Offset);
    }

    [Fact]
    public async Task Open_UnknownFormatVersion_RefusesNamingTheVersion()
    {
        var device = await WriteAsync(lastEntrySize: 100);
        var segment = WalAppendTests.WalFileNames(device)[0];
        var bytes = device.ReadAllBytes(segment);
        var header = new WalSegmentHeader(2, 0, 0, 0);
        header.Write(bytes.AsSpan(WalRecordFormat.HeaderBytes, WalSegmentHeader.PayloadBytes));
        WalRecordFormat.Seal(bytes.AsSpan(0, (int)WalRecordFormat.RecordSize(WalSegmentHeader.PayloadBytes)), WalRecordType.SegmentHeader, WalSegmentHeader.PayloadBytes, 0, 0);
        device.WriteAllBytes(segment, bytes);

        var error = Assert.Throws<WalVersionException>(() => WriteAheadLog.Open(device, WalSnapshot.None, Options()));
        Assert.Equal(2u, error.Version);
        Assert.Contains("format version 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("reads version 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_RecordResealedInEarlierSegment_RefusesTheNextSegmentsCarriedCrc()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 4096)))
        {
            await wal.SaveAsync(null, Entries(1, 40, 1, 300), None);
        }

        var names = WalAppendTests.WalFileNames(device);
        var record = WalDump.Read(device)[0].Records[^1];
        var bytes = device.ReadAllBytes(names[0]);
        var span = bytes.AsSpan((int)record.Offset, (int)RecordBytes(record));
        span[WalRecordFormat.HeaderBytes + 30] ^= 0xFF;
        WalRecordFormat.Seal(span, record.Type, record.PayloadBytes, 0, record.Offset);
        device.WriteAllBytes(names[0], bytes);

        var error = Assert.Throws<WalCorruptException>(() => WriteAheadLog.Open(device, WalSnapshot.None, Options(segmentBytes: 4096)));
        Assert.Equal(device.PathOf(names[1]), error.File);
        Assert.Contains("does not follow the previous one", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_MissingMiddleSegment_Refuses()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 4096)))
        {
            await wal.SaveAsync(null, Entries(1, 40, 1, 300), None);
        }

        var names = WalAppendTests.WalFileNames(device);
        device.Delete(names[1]);
        var error = Assert.Throws<WalException>(() => WriteAheadLog.Open(device, WalSnapshot.None, Options(segmentBytes: 4096)));
        Assert.Contains("not contiguous", error.Message, StringComparison.Ordinal);
    }

    internal static async Task<MemoryStorageDevice> WriteAsync(int lastEntrySize)
    {
        var device = new MemoryStorageDevice();
        await using var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 64 * 1024));
        await wal.SaveAsync(new HardState { Term = 1, Commit = 5 }, Entries(1, 9, 1), None);
        await wal.SaveAsync(null, [Entry(10, 1, lastEntrySize)], None);
        return device;
    }

    internal static (string Segment, WalDumpRecord Record) LastRecord(IStorageDevice device)
    {
        var segments = WalDump.Read(device);
        return (Path.GetFileName(segments[^1].File.Replace("memory:wal/", "", StringComparison.Ordinal)), segments[^1].Records[^1]);
    }

    internal static long RecordBytes(WalDumpRecord record) => WalRecordFormat.RecordSize(record.PayloadBytes);
}

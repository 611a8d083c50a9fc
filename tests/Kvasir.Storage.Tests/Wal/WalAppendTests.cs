using Kvasir.Raft;
using Kvasir.Storage.IO;
using Kvasir.Storage.Wal;
using static Kvasir.Storage.Tests.Wal.WalTestData;

namespace Kvasir.Storage.Tests.Wal;

public sealed class WalAppendTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Create_NewDevice_OpensAtNoSnapshotWithEmptyLog()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options()))
        {
            Assert.Equal(0UL, wal.LastIndex);
            Assert.Empty(wal.Recovered.Entries);
        }

        var read = WriteAheadLog.Read(device, WalSnapshot.None);
        Assert.Equal(Metadata, read.Metadata);
        Assert.Empty(read.Entries);
        Assert.Equal(new HardState(), read.HardState);
        Assert.Null(read.TornTail);
        Assert.Equal(["0000000000000000-0000000000000000.wal"], WalFileNames(device));
    }

    [Fact]
    public async Task SaveAsync_EntriesAndHardState_ReadBackAfterReopen()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options()))
        {
            await wal.SaveAsync(new HardState { Term = 1, Vote = 7 }, Entries(1, 3, 1), None);
            await wal.SaveAsync(new HardState { Term = 1, Vote = 7, Commit = 3 }, Entries(4, 5, 1), None);
            Assert.Equal(5UL, wal.LastIndex);
            Assert.Equal(5UL, wal.DurableIndex);
        }

        await using var reopened = WriteAheadLog.Open(device, WalSnapshot.None, Options());
        var read = reopened.Recovered;
        Assert.Equal(Entries(1, 5, 1), read.Entries);
        Assert.Equal(new HardState { Term = 1, Vote = 7, Commit = 3 }, read.HardState);
        Assert.Equal(5UL, reopened.LastIndex);
    }

    [Fact]
    public async Task SaveAsync_EntryWithEarlierIndex_ReplacesItAndEverythingAfter()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options()))
        {
            await wal.SaveAsync(new HardState { Term = 1, Commit = 2 }, Entries(1, 6, 1), None);
            await wal.SaveAsync(new HardState { Term = 2, Commit = 2 }, Entries(4, 4, 2), None);
            Assert.Equal(4UL, wal.LastIndex);
            await wal.SaveAsync(null, Entries(5, 5, 2), None);
        }

        var read = WriteAheadLog.Read(device, WalSnapshot.None);
        Assert.Equal([.. Entries(1, 3, 1), .. Entries(4, 5, 2)], read.Entries);
        Assert.Equal(5UL, read.LastIndex);
    }

    [Fact]
    public async Task AppendAsync_ManyConcurrentWriters_AllDurableInTakenOrder()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 64 * 1024)))
        {
            var gate = new SemaphoreSlim(1);
            ulong next = 1;
            async Task Writer()
            {
                for (var i = 0; i < 50; i++)
                {
                    WalPosition position;
                    await gate.WaitAsync();
                    try
                    {
                        position = await wal.AppendAsync(null, [Entry(next, 1, 64)], mustSync: true, None);
                        next++;
                    }
                    finally
                    {
                        gate.Release();
                    }

                    await wal.WaitDurableAsync(position, None);
                }
            }

            var writers = new Task[16];
            for (var w = 0; w < writers.Length; w++)
            {
                writers[w] = Task.Run(Writer);
            }

            await Task.WhenAll(writers);
            Assert.Equal(800UL, wal.DurableIndex);
            Assert.Equal(800, wal.Statistics.Appends);
            Assert.True(wal.Statistics.Syncs <= wal.Statistics.Batches + wal.Statistics.SegmentsCut * 2);
        }

        var read = WriteAheadLog.Read(device, WalSnapshot.None);
        Assert.Equal(Entries(1, 800, 1, 64), read.Entries);
    }

    [Fact]
    public async Task AppendAsync_WithoutMustSync_WrittenButNotSynced()
    {
        var device = new MemoryStorageDevice();
        await using var wal = WriteAheadLog.Create(device, Metadata, Options(background: false));
        var syncsBefore = device.Syncs;
        var position = await wal.AppendAsync(new HardState { Term = 1 }, Entries(1, 2, 1), mustSync: false, None);
        await wal.WaitDurableAsync(position, None);
        Assert.Equal(syncsBefore, device.Syncs);
        Assert.Equal(1, wal.Statistics.Batches);
        Assert.Equal(0, wal.Statistics.Syncs);

        device = device.Crash(MemoryCrash.LoseUnsynced, new Random(1));
        var read = WriteAheadLog.Read(device, WalSnapshot.None);
        Assert.Empty(read.Entries);
    }

    [Fact]
    public async Task Dispose_AfterUnsyncedAppend_SyncsEverything()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options()))
        {
            var position = await wal.AppendAsync(null, Entries(1, 3, 1), mustSync: false, None);
            await wal.WaitDurableAsync(position, None);
        }

        device = device.Crash(MemoryCrash.LoseUnsynced, new Random(1));
        Assert.Equal(Entries(1, 3, 1), WriteAheadLog.Read(device, WalSnapshot.None).Entries);
    }

    [Fact]
    public async Task AppendAsync_MoreThanTheBatchBound_WaitsForSpaceAndKeepsOrder()
    {
        var device = new MemoryStorageDevice();
        var options = new WalOptions { SegmentBytes = 1 << 20, MaxBatchBytes = 4096 };
        await using (var wal = WriteAheadLog.Create(device, Metadata, options))
        {
            var positions = new List<ValueTask<WalPosition>>();
            var last = default(WalPosition);
            for (ulong i = 1; i <= 200; i++)
            {
                last = await wal.AppendAsync(null, [Entry(i, 1, 200)], mustSync: true, None);
            }

            await wal.WaitDurableAsync(last, None);
            Assert.True(wal.Statistics.Batches >= 200 * 212 / 4096);
        }

        Assert.Equal(Entries(1, 200, 1, 200), WriteAheadLog.Read(device, WalSnapshot.None).Entries);
    }

    [Fact]
    public async Task SaveAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var wal = WriteAheadLog.Create(new MemoryStorageDevice(), Metadata, Options());
        await wal.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await wal.SaveAsync(null, Entries(1, 1, 1), None));
    }

    [Fact]
    public async Task WaitDurableAsync_UnknownPosition_ThrowsArgumentOutOfRange()
    {
        await using var wal = WriteAheadLog.Create(new MemoryStorageDevice(), Metadata, Options());
        Assert.Throws<ArgumentOutOfRangeException>(() => wal.WaitDurableAsync(new WalPosition(99), None));
    }

    internal static List<string> WalFileNames(IStorageDevice device)
    {
        var names = new List<string>();
        foreach (var file in device.ListFiles())
        {
            if (file.EndsWith(".wal", StringComparison.Ordinal))
            {
                names.Add(file);
            }
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }
}

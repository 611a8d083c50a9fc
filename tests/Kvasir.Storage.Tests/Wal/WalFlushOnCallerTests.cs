using Kvasir.Raft;
using Kvasir.Storage.IO;
using Kvasir.Storage.Wal;
using static Kvasir.Storage.Tests.Wal.WalTestData;

namespace Kvasir.Storage.Tests.Wal;

/// <summary>
/// <see cref="WalOptions.FlushOnCaller"/>: the waiting caller writes and syncs; what it was told is
/// durable survives power loss, appends nobody waited for are written by the next wait or the close,
/// and failures stay fatal as with the flusher thread.
/// </summary>
public sealed class WalFlushOnCallerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static WalOptions OnCaller(long segmentBytes = 16 * 1024, int maxBatchBytes = 4 * 1024 * 1024) => new()
    {
        SegmentBytes = segmentBytes,
        MaxBatchBytes = maxBatchBytes,
        PrepareSegmentsInBackground = false,
        FlushOnCaller = true,
    };

    [Fact]
    public async Task SaveAsync_FlushOnCaller_CompleteOnReturnAndSurvivesPowerLoss()
    {
        var memory = new MemoryStorageDevice();
        var wal = WriteAheadLog.Create(memory, Metadata, OnCaller());
        var save = wal.SaveAsync(new HardState { Term = 1, Commit = 3 }, Entries(1, 3, 1), None);
        Assert.True(save.IsCompletedSuccessfully);
        await save;
        Assert.Equal(3UL, wal.DurableIndex);

        var crashed = memory.Crash(MemoryCrash.LoseUnsynced, new Random(3));
        var read = WriteAheadLog.Read(crashed, WalSnapshot.None);
        Assert.Equal(Entries(1, 3, 1), read.Entries);
        Assert.Equal(new HardState { Term = 1, Commit = 3 }, read.HardState);
        await wal.DisposeAsync();
    }

    [Fact]
    public async Task AppendAsync_FlushOnCallerWithoutWaiter_WrittenByTheNextWait()
    {
        var memory = new MemoryStorageDevice();
        await using var wal = WriteAheadLog.Create(memory, Metadata, OnCaller());
        var first = await wal.AppendAsync(null, Entries(1, 2, 1), mustSync: true, None);
        Assert.Equal(0L, wal.Statistics.Batches);

        var second = await wal.AppendAsync(new HardState { Term = 1, Commit = 4 }, Entries(3, 4, 1), mustSync: true, None);
        await wal.WaitDurableAsync(second, None);
        await wal.WaitDurableAsync(first, None);
        Assert.Equal(1L, wal.Statistics.Batches);
        Assert.Equal(4UL, wal.DurableIndex);
        Assert.Equal(Entries(1, 4, 1), WriteAheadLog.Read(memory.Crash(MemoryCrash.LoseUnsynced, new Random(5)), WalSnapshot.None).Entries);
    }

    [Fact]
    public async Task DisposeAsync_FlushOnCallerWithPendingAppend_WritesAndSyncsIt()
    {
        var memory = new MemoryStorageDevice();
        var wal = WriteAheadLog.Create(memory, Metadata, OnCaller());
        await wal.AppendAsync(new HardState { Term = 2, Commit = 5 }, Entries(1, 5, 2), mustSync: false, None);
        await wal.DisposeAsync();

        var read = WriteAheadLog.Read(memory.Crash(MemoryCrash.LoseUnsynced, new Random(9)), WalSnapshot.None);
        Assert.Equal(Entries(1, 5, 2), read.Entries);
        Assert.Equal(new HardState { Term = 2, Commit = 5 }, read.HardState);
    }

    [Fact]
    public async Task AppendAsync_FlushOnCallerPastTheBatchBound_WritesFullBatchesAndKeepsOrder()
    {
        var memory = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(memory, Metadata, OnCaller(segmentBytes: 1 << 20, maxBatchBytes: 4096)))
        {
            var last = default(WalPosition);
            for (ulong i = 1; i <= 200; i++)
            {
                var append = wal.AppendAsync(null, [Entry(i, 1, 200)], mustSync: true, None);
                Assert.True(append.IsCompletedSuccessfully);
                last = await append;
            }

            await wal.WaitDurableAsync(last, None);
            Assert.True(wal.Statistics.Batches >= 200 * 212 / 4096);
        }

        Assert.Equal(Entries(1, 200, 1, 200), WriteAheadLog.Read(memory, WalSnapshot.None).Entries);
    }

    [Fact]
    public async Task SaveAsync_FlushOnCallerManyConcurrentCallers_AllDurableInTakenOrder()
    {
        var memory = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(memory, Metadata, OnCaller(segmentBytes: 64 * 1024)))
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
                        position = await wal.AppendAsync(null, [Entry(next, 1)], mustSync: true, None);
                        next++;
                    }
                    finally
                    {
                        gate.Release();
                    }

                    await Task.Yield();
                    await wal.WaitDurableAsync(position, None);
                }
            }

            var writers = new Task[8];
            for (var w = 0; w < writers.Length; w++)
            {
                writers[w] = Task.Run(Writer);
            }

            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(400UL, wal.DurableIndex);
        }

        Assert.Equal(Entries(1, 400, 1), WriteAheadLog.Read(memory.Crash(MemoryCrash.LoseUnsynced, new Random(11)), WalSnapshot.None).Entries);
    }

    [Fact]
    public async Task SaveAsync_FlushOnCallerSyncFails_FatalForCallerAndLaterCalls()
    {
        var memory = new MemoryStorageDevice();
        var device = new FaultyStorageDevice(memory);
        var wal = WriteAheadLog.Create(device, Metadata, OnCaller());
        await wal.SaveAsync(new HardState { Term = 1, Commit = 2 }, Entries(1, 3, 1), None);
        var syncs = device.Faults.Count(StorageOperation.Sync);
        device.Faults.Fail(StorageOperation.Sync);

        var fatal = await Assert.ThrowsAsync<WalFatalException>(async () => await wal.SaveAsync(null, Entries(4, 5, 1), None));
        Assert.Contains("injected fault: Sync", fatal.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<WalFatalException>(async () => await wal.SaveAsync(null, Entries(6, 6, 1), None));
        await wal.DisposeAsync();
        Assert.Equal(syncs + 1, device.Faults.Count(StorageOperation.Sync));
        Assert.Equal(Entries(1, 3, 1), WriteAheadLog.Read(memory.Crash(MemoryCrash.LoseUnsynced, new Random(7)), WalSnapshot.None).Entries);
    }

    [Fact]
    public async Task WaitDurableAsync_FlushOnCallerUnknownPosition_ThrowsArgumentOutOfRange()
    {
        await using var wal = WriteAheadLog.Create(new MemoryStorageDevice(), Metadata, OnCaller());
        await wal.SaveAsync(null, Entries(1, 1, 1), None);
        Assert.Throws<ArgumentOutOfRangeException>(() => wal.WaitDurableAsync(new WalPosition(99), None));
    }

    [Fact]
    public async Task SaveAsync_FlushOnCallerAcrossSegmentCuts_ReopensWithEverything()
    {
        var memory = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(memory, Metadata, OnCaller(segmentBytes: 4096)))
        {
            for (ulong i = 1; i <= 60; i++)
            {
                await wal.SaveAsync(new HardState { Term = 1, Commit = i }, [Entry(i, 1, 300)], None);
            }

            Assert.True(wal.Statistics.SegmentsCut > 0);
        }

        await using var reopened = WriteAheadLog.Open(memory.Crash(MemoryCrash.LoseUnsynced, new Random(13)), WalSnapshot.None, OnCaller(segmentBytes: 4096));
        Assert.Equal(Entries(1, 60, 1, 300), reopened.Recovered.Entries);
    }
}

using Kvasir.Raft;
using Kvasir.Storage.IO;
using Kvasir.Storage.Wal;
using static Kvasir.Storage.Tests.Wal.WalTestData;

namespace Kvasir.Storage.Tests.Wal;

/// <summary>A failed write or fdatasync is fatal: waiters and later appends fail, nothing is retried, and after a crash the log reopens consistent.</summary>
public sealed class WalFaultTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task SaveAsync_SyncFails_FatalForWaiterAndLaterAppendsAndNeverRetried()
    {
        var memory = new MemoryStorageDevice();
        var device = new FaultyStorageDevice(memory);
        var wal = WriteAheadLog.Create(device, Metadata, Options(background: false));
        await wal.SaveAsync(new HardState { Term = 1, Commit = 2 }, Entries(1, 3, 1), None);
        var syncs = device.Faults.Count(StorageOperation.Sync);
        device.Faults.Fail(StorageOperation.Sync);

        var fatal = await Assert.ThrowsAsync<WalFatalException>(async () => await wal.SaveAsync(null, Entries(4, 5, 1), None));
        Assert.Contains("never retried", fatal.Message, StringComparison.Ordinal);
        Assert.Contains("injected fault: Sync", fatal.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<WalFatalException>(async () => await wal.SaveAsync(null, Entries(6, 6, 1), None));
        await wal.DisposeAsync();
        Assert.Equal(syncs + 1, device.Faults.Count(StorageOperation.Sync));

        memory = memory.Crash(MemoryCrash.LoseUnsynced, new Random(7));
        var read = WriteAheadLog.Read(memory, WalSnapshot.None);
        Assert.Equal(Entries(1, 3, 1), read.Entries);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(300)]
    [InlineData(700)]
    [InlineData(1000)]
    public async Task SaveAsync_WriteTornThenProcessDies_ReopenCutsTheTornTail(int keepBytes)
    {
        var memory = new MemoryStorageDevice();
        var device = new FaultyStorageDevice(memory);
        var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 64 * 1024, background: false));
        await wal.SaveAsync(new HardState { Term = 1, Commit = 2 }, Entries(1, 3, 1), None);
        device.Faults.TearWrite(1, keepBytes);
        await Assert.ThrowsAsync<WalFatalException>(async () => await wal.SaveAsync(null, Entries(4, 10, 1, 200), None));
        await wal.DisposeAsync();

        memory = memory.Crash(MemoryCrash.ProcessKill, new Random(7));
        await using var reopened = WriteAheadLog.Open(memory, WalSnapshot.None, Options(segmentBytes: 64 * 1024, background: false));
        var entries = reopened.Recovered.Entries;
        Assert.True(entries.Count is >= 3 and < 10);
        Assert.Equal(Entries(1, (ulong)entries.Count, 1, 200).Count, entries.Count);
        Assert.Equal(Entries(1, 3, 1), entries.Take(3));
        Assert.All(entries, e => Assert.True(IsGenuine(e)));
        Assert.All(reopened.Recovered.Entries, e => Assert.True(IsGenuine(e)));
        await reopened.SaveAsync(null, [Entry((ulong)entries.Count + 1, 2)], None);
    }

    [Theory]
    [InlineData(StorageOperation.Rename)]
    [InlineData(StorageOperation.SyncDirectory)]
    [InlineData(StorageOperation.Truncate)]
    [InlineData(StorageOperation.Write)]
    public async Task SaveAsync_CutFails_FatalAndReopenConsistentAfterPowerLoss(StorageOperation operation)
    {
        var memory = new MemoryStorageDevice();
        var device = new FaultyStorageDevice(memory);
        var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 4096, background: false));
        await wal.SaveAsync(new HardState { Term = 1, Commit = 5 }, Entries(1, 5, 1, 300), None);
        device.Faults.Fail(operation);
        ulong acknowledged = 5;
        try
        {
            for (ulong i = 6; i <= 40; i++)
            {
                await wal.SaveAsync(null, [Entry(i, 1, 300)], None);
                acknowledged = i;
            }

            Assert.Fail("the injected fault never fired");
        }
        catch (WalFatalException)
        {
        }

        await wal.DisposeAsync();
        memory = memory.Crash(MemoryCrash.TornSectors, new Random(11));
        await using var reopened = WriteAheadLog.Open(memory, WalSnapshot.None, Options(segmentBytes: 4096, background: false));
        var entries = reopened.Recovered.Entries;
        Assert.True((ulong)entries.Count >= acknowledged);
        Assert.All(entries, e => Assert.True(IsGenuine(e)));
    }

    [Fact]
    public async Task SaveAsync_PreparingNextSegmentFails_Fatal()
    {
        var memory = new MemoryStorageDevice();
        var device = new FaultyStorageDevice(memory);
        device.Faults.Fail(StorageOperation.Allocate, 2);
        var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 4096, background: false));
        var error = await Assert.ThrowsAsync<WalFatalException>(async () => await wal.SaveAsync(null, Entries(1, 40, 1, 300), None));
        Assert.Contains("preparing the next segment", error.Message, StringComparison.Ordinal);
        await wal.DisposeAsync();
    }
}

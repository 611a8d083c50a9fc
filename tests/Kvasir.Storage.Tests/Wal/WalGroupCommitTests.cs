using Kvasir.Storage.IO;
using Kvasir.Storage.Wal;
using Kvasir.Testing;
using static Kvasir.Storage.Tests.Wal.WalTestData;

namespace Kvasir.Storage.Tests.Wal;

/// <summary>The group-commit policy decides when a batch goes; many appends share one fdatasync.</summary>
public sealed class WalGroupCommitTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task SaveAsync_WindowPolicyTargetReached_EightAppendsShareOneSync()
    {
        var clock = new ManualTimeProvider();
        var device = new MemoryStorageDevice();
        var options = new WalOptions { SegmentBytes = 1 << 20, PrepareSegmentsInBackground = false, TimeProvider = clock, SyncPolicy = GroupCommitPolicy.Window(TimeSpan.FromSeconds(1), 8) };
        await using var wal = WriteAheadLog.Create(device, Metadata, options);
        var syncsBefore = device.Syncs;
        var saves = new List<Task>();
        for (ulong i = 1; i <= 8; i++)
        {
            saves.Add(wal.SaveAsync(null, [Entry(i, 1)], None).AsTask());
        }

        await Task.WhenAll(saves);
        Assert.Equal(1, wal.Statistics.Batches);
        Assert.Equal(1, wal.Statistics.Syncs);
        Assert.Equal(syncsBefore + 1, device.Syncs);
        Assert.Equal(8UL, wal.DurableIndex);
    }

    [Fact]
    public async Task SaveAsync_WindowPolicyTargetNotReached_WaitsForTheClock()
    {
        var clock = new ManualTimeProvider();
        var options = new WalOptions { SegmentBytes = 1 << 20, TimeProvider = clock, SyncPolicy = GroupCommitPolicy.Window(TimeSpan.FromMilliseconds(5), 100) };
        await using var wal = WriteAheadLog.Create(new MemoryStorageDevice(), Metadata, options);
        var saves = new List<Task>();
        for (ulong i = 1; i <= 3; i++)
        {
            saves.Add(wal.SaveAsync(null, [Entry(i, 1)], None).AsTask());
        }

        Assert.All(saves, s => Assert.False(s.IsCompleted));
        await Kvasir.Testing.Poll.UntilAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromMilliseconds(5));
                return saves.TrueForAll(s => s.IsCompleted);
            },
            TimeSpan.FromSeconds(10),
            "the batch to go once its window passed",
            TimeSpan.FromMilliseconds(10));
        await Task.WhenAll(saves);
        Assert.Equal(1, wal.Statistics.Syncs);
    }

    [Fact]
    public async Task SaveAsync_OneWriterImmediatePolicy_OneSyncPerAppend()
    {
        await using var wal = WriteAheadLog.Create(new MemoryStorageDevice(), Metadata, Options(segmentBytes: 1 << 20));
        for (ulong i = 1; i <= 20; i++)
        {
            await wal.SaveAsync(null, [Entry(i, 1)], None);
            Assert.Equal(i, wal.DurableIndex);
        }

        Assert.Equal(20, wal.Statistics.Syncs);
        Assert.Equal(20, wal.Statistics.Batches);
    }

    [Fact]
    public async Task SaveAsync_SyncObserved_ReportsEachSync()
    {
        var observed = 0;
        var options = new WalOptions { SegmentBytes = 1 << 20, SyncObserved = _ => Interlocked.Increment(ref observed) };
        await using var wal = WriteAheadLog.Create(new MemoryStorageDevice(), Metadata, options);
        for (ulong i = 1; i <= 5; i++)
        {
            await wal.SaveAsync(null, [Entry(i, 1)], None);
        }

        Assert.Equal(5, Volatile.Read(ref observed));
    }

    [Fact]
    public void Window_InvalidBounds_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupCommitPolicy.Window(TimeSpan.FromSeconds(-1), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupCommitPolicy.Window(TimeSpan.FromSeconds(2), 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GroupCommitPolicy.Window(TimeSpan.FromMilliseconds(1), 0));
    }
}

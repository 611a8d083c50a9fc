using Kvasir.Raft;
using Kvasir.Storage.IO;
using Kvasir.Storage.Wal;
using static Kvasir.Storage.Tests.Wal.WalTestData;

namespace Kvasir.Storage.Tests.Wal;

/// <summary>Bad input gets a clear error and changes nothing: the log reads back as before and still takes valid appends.</summary>
public sealed class WalValidationTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    public static TheoryData<string> BadAppends => new()
    {
        "gap", "replaces-committed", "not-contiguous", "null-entry", "term-zero", "term-decreasing",
        "hard-term-backwards", "hard-commit-backwards", "hard-commit-beyond-last",
    };

    [Theory]
    [MemberData(nameof(BadAppends))]
    public async Task SaveAsync_BadInput_ThrowsAndChangesNothing(string kind)
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options()))
        {
            await wal.SaveAsync(new HardState { Term = 2, Vote = 1, Commit = 3 }, Entries(1, 5, 2), None);
            var (hardState, entries, expected) = kind switch
            {
                "gap" => ((HardState?)null, Entries(7, 8, 2), "gap after the last index 5"),
                "replaces-committed" => (null, Entries(3, 4, 3), "would replace a committed entry"),
                "not-contiguous" => (null, [Entry(6, 2), Entry(8, 2)], "not contiguous"),
                "null-entry" => (null, [Entry(6, 2), null!], "is null"),
                "term-zero" => (null, [Entry(6, 0)], "terms start at 1"),
                "term-decreasing" => (null, [Entry(6, 3), Entry(7, 2)], "never decrease"),
                "hard-term-backwards" => (new HardState { Term = 1, Commit = 3 }, [], "below the saved term 2"),
                "hard-commit-backwards" => (new HardState { Term = 2, Commit = 2 }, [], "below the saved commit 3"),
                "hard-commit-beyond-last" => (new HardState { Term = 2, Commit = 9 }, Entries(6, 7, 2), "beyond the last index 7"),
                _ => throw new ArgumentOutOfRangeException(nameof(kind)),
            };
            var error = await Assert.ThrowsAsync<ArgumentException>(async () => await wal.SaveAsync(hardState, entries, None));
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
            Assert.Equal(5UL, wal.LastIndex);
            await wal.SaveAsync(new HardState { Term = 2, Vote = 1, Commit = 4 }, Entries(6, 6, 2), None);
        }

        var read = WriteAheadLog.Read(device, WalSnapshot.None);
        Assert.Equal(Entries(1, 6, 2), read.Entries);
        Assert.Equal(new HardState { Term = 2, Vote = 1, Commit = 4 }, read.HardState);
    }

    [Fact]
    public async Task SaveSnapshotAsync_IndexZeroOrBackwards_ThrowsAndChangesNothing()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options()))
        {
            await wal.SaveAsync(new HardState { Term = 1, Commit = 5 }, Entries(1, 5, 1), None);
            await wal.SaveSnapshotAsync(new SnapshotMetadata { Index = 4, Term = 1 }, None);
            await Assert.ThrowsAsync<ArgumentException>(async () => await wal.SaveSnapshotAsync(new SnapshotMetadata { Index = 0 }, None));
            await Assert.ThrowsAsync<ArgumentException>(async () => await wal.SaveSnapshotAsync(new SnapshotMetadata { Index = 3, Term = 1 }, None));
        }

        var markers = WriteAheadLog.ReadSnapshotMarkers(device);
        Assert.Equal([0UL, 4UL], markers.Select(m => m.Index));
    }

    [Fact]
    public async Task ReleaseTo_BeyondTheDurableSnapshot_ThrowsAndDeletesNothing()
    {
        var device = new MemoryStorageDevice();
        await using var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 4096, maxWals: 1));
        await wal.SaveAsync(new HardState { Term = 1, Commit = 40 }, Entries(1, 40, 1, 300), None);
        var before = wal.SegmentFiles;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => wal.ReleaseTo(20));
        Assert.Contains("no durable snapshot marker at index 20", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, wal.SegmentFiles);
        Assert.Equal(before, WalAppendTests.WalFileNames(device));
    }

    [Fact]
    public async Task ReleaseTo_SnapshotAboveTheDurableCommit_ThrowsAndDeletesNothing()
    {
        var device = new MemoryStorageDevice();
        await using var wal = WriteAheadLog.Create(device, Metadata, Options(segmentBytes: 4096, maxWals: 1));
        await wal.SaveAsync(new HardState { Term = 1, Commit = 20 }, Entries(1, 40, 1, 300), None);
        await wal.SaveSnapshotAsync(new SnapshotMetadata { Index = 30, Term = 1 }, None);
        var before = wal.SegmentFiles;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => wal.ReleaseTo(30));
        Assert.Contains("above the durable commit 20", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, WalAppendTests.WalFileNames(device));
    }

    [Theory]
    [InlineData(100L, 8 * 1024 * 1024, 5)]
    [InlineData(4097L, 8 * 1024 * 1024, 5)]
    [InlineData(64L * 1024, 100, 5)]
    [InlineData(64L * 1024, 8 * 1024 * 1024, -1)]
    public void Create_InvalidOptions_ThrowsAndCreatesNothing(long segmentBytes, int maxBatchBytes, int maxWals)
    {
        var device = new MemoryStorageDevice();
        var options = new WalOptions { SegmentBytes = segmentBytes, MaxBatchBytes = maxBatchBytes, MaxWals = maxWals };
        Assert.ThrowsAny<ArgumentException>(() => WriteAheadLog.Create(device, Metadata, options));
        Assert.Empty(device.ListFiles());
    }

    [Fact]
    public async Task Create_DeviceAlreadyHoldingAWal_ThrowsAndChangesNothing()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options()))
        {
            await wal.SaveAsync(null, Entries(1, 2, 1), None);
        }

        var before = device.ReadAllBytes(WalAppendTests.WalFileNames(device)[0]);
        var error = Assert.Throws<WalException>(() => WriteAheadLog.Create(device, new WalMetadata(9, 9), Options()));
        Assert.Contains("already holds a WAL", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, device.ReadAllBytes(WalAppendTests.WalFileNames(device)[0]));
    }

    [Fact]
    public void Open_EmptyDevice_ThrowsNoWal()
    {
        var error = Assert.Throws<WalException>(() => WriteAheadLog.Open(new MemoryStorageDevice(), WalSnapshot.None, Options()));
        Assert.Contains("holds no WAL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_WhileAnotherHoldsIt_ThrowsLocked()
    {
        using var dir = new Kvasir.Testing.TempDir("kvasir-wal");
        await using var first = WriteAheadLog.Create(dir.Path, Metadata, Options());
        var error = Assert.Throws<IOException>(() => WriteAheadLog.Open(dir.Path, WalSnapshot.None, Options()));
        Assert.Contains("locked", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_SnapshotWithoutMarker_ThrowsAndChangesNothing()
    {
        var device = new MemoryStorageDevice();
        await using (var wal = WriteAheadLog.Create(device, Metadata, Options()))
        {
            await wal.SaveAsync(new HardState { Term = 1, Commit = 5 }, Entries(1, 5, 1), None);
            await wal.SaveSnapshotAsync(new SnapshotMetadata { Index = 4, Term = 1 }, None);
        }

        var notFound = Assert.Throws<WalException>(() => WriteAheadLog.Open(device, new WalSnapshot(3, 1), Options()));
        Assert.Contains("no snapshot marker for index 3 term 1", notFound.Message, StringComparison.Ordinal);
        var mismatch = Assert.Throws<WalException>(() => WriteAheadLog.Open(device, new WalSnapshot(4, 2), Options()));
        Assert.Contains("has term 1, not 2", mismatch.Message, StringComparison.Ordinal);
        await using var wal2 = WriteAheadLog.Open(device, new WalSnapshot(4, 1), Options());
        Assert.Equal([Entry(5, 1)], wal2.Recovered.Entries);
    }

    [Theory]
    [InlineData(0UL, 1UL, 0UL, 1UL)]
    [InlineData(10UL, 0UL, 0UL, 1UL)]
    [InlineData(10UL, 2UL, 11UL, 2UL)]
    [InlineData(10UL, 2UL, 10UL, 1UL)]
    public void CreateFromSnapshot_Inconsistent_ThrowsAndCreatesNothing(ulong index, ulong term, ulong commit, ulong hardTerm)
    {
        var device = new MemoryStorageDevice();
        Assert.Throws<ArgumentException>(() => WriteAheadLog.CreateFromSnapshot(
            device, Metadata, new SnapshotMetadata { Index = index, Term = term }, new HardState { Term = hardTerm, Commit = commit }, Options()));
        Assert.Empty(device.ListFiles());
    }
}

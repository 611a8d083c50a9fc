using Kvasir.Storage.IO;

namespace Kvasir.Storage.Tests.IO;

public sealed class MemoryStorageDeviceTests
{
    [Fact]
    public void Crash_LoseUnsynced_KeepsOnlySyncedDataAndNames()
    {
        var device = new MemoryStorageDevice();
        using (var file = device.Open("a", StorageFileMode.CreateNew))
        {
            file.Write(0, [1, 2, 3]);
            file.Sync();
            device.SyncDirectory();
            file.Write(3, [4, 5]);
        }

        using (var other = device.Open("b", StorageFileMode.CreateNew))
        {
            other.Write(0, [9]);
            other.Sync();
        }

        var rebooted = device.Crash(MemoryCrash.LoseUnsynced, new Random(1));
        Assert.Equal([1, 2, 3], rebooted.ReadAllBytes("a"));
        Assert.False(rebooted.Exists("b"));
    }

    [Fact]
    public void Crash_ProcessKill_KeepsEverythingWritten()
    {
        var device = new MemoryStorageDevice();
        using (var file = device.Open("a", StorageFileMode.CreateNew))
        {
            file.Write(0, [1, 2, 3]);
        }

        device.Rename("a", "b");
        var rebooted = device.Crash(MemoryCrash.ProcessKill, new Random(1));
        Assert.Equal([1, 2, 3], rebooted.ReadAllBytes("b"));
        Assert.False(rebooted.Exists("a"));
    }

    [Fact]
    public void Crash_TornSectors_EachSectorOldOrNewWhole()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var device = new MemoryStorageDevice();
            using (var file = device.Open("a", StorageFileMode.CreateNew))
            {
                file.Write(0, Fill(4096, 1));
                file.Sync();
                device.SyncDirectory();
                file.Write(100, Fill(3000, 2));
            }

            var bytes = device.Crash(MemoryCrash.TornSectors, new Random(seed)).ReadAllBytes("a");
            Assert.Equal(4096, bytes.Length);
            for (var sector = 0; sector < 8; sector++)
            {
                var chunk = bytes.AsSpan(sector * 512, 512);
                var written = chunk.SequenceEqual(Expected(sector, 2));
                Assert.True(written || chunk.SequenceEqual(Expected(sector, 1)), $"seed {seed} sector {sector} is neither old nor new");
            }
        }
    }

    [Fact]
    public void Crash_HandlesAndDeviceOfTheDeadProcessFail()
    {
        var device = new MemoryStorageDevice();
        var file = device.Open("a", StorageFileMode.CreateNew);
        var held = device.Lock("wal.lock");
        var rebooted = device.Crash(MemoryCrash.ProcessKill, new Random(1));
        Assert.Throws<IOException>(() => file.Write(0, [1]));
        Assert.Throws<IOException>(() => file.Sync());
        Assert.Throws<IOException>(() => device.Delete("a"));
        Assert.Throws<IOException>(() => device.Open("b", StorageFileMode.CreateNew));
        using var again = rebooted.Lock("wal.lock");
        held.Dispose();
    }

    [Fact]
    public void Lock_Held_SecondLockThrowsUntilReleased()
    {
        var device = new MemoryStorageDevice();
        var first = device.Lock("wal.lock");
        Assert.Throws<IOException>(() => device.Lock("wal.lock"));
        first.Dispose();
        device.Lock("wal.lock").Dispose();
    }

    [Fact]
    public void Open_ReadOnly_RefusesWrites()
    {
        var device = new MemoryStorageDevice();
        device.WriteAllBytes("a", [1]);
        using var file = device.Open("a", StorageFileMode.ReadOnly);
        Assert.Throws<IOException>(() => file.Write(0, [2]));
        Assert.Throws<FileNotFoundException>(() => device.Open("missing", StorageFileMode.OpenExisting));
        Assert.Throws<IOException>(() => device.Open("a", StorageFileMode.CreateNew));
        Assert.Throws<ArgumentException>(() => device.Open("x/y", StorageFileMode.CreateNew));
    }

    private static byte[] Fill(int length, byte value)
    {
        var bytes = new byte[length];
        Array.Fill(bytes, value);
        return bytes;
    }

    private static byte[] Expected(int sector, byte written)
    {
        var bytes = Fill(512, 1);
        for (var i = 0; i < 512; i++)
        {
            var offset = (sector * 512) + i;
            if (written == 2 && offset >= 100 && offset < 3100)
            {
                bytes[i] = 2;
            }
        }

        return bytes;
    }
}

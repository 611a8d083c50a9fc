using Kvasir.Storage.IO;

namespace Kvasir.Storage.Tests.IO;

public sealed class FaultyStorageDeviceTests
{
    [Fact]
    public void Fail_NthSync_FiresOnceOnThatCall()
    {
        var device = new FaultyStorageDevice(new MemoryStorageDevice());
        device.Faults.Fail(StorageOperation.Sync, 2);
        using var file = device.Open("a", StorageFileMode.CreateNew);
        file.Sync();
        Assert.Throws<IOException>(() => file.Sync());
        file.Sync();
        Assert.Equal(3, device.Faults.Count(StorageOperation.Sync));
        Assert.Equal(1, device.Faults.Fired);
    }

    [Theory]
    [InlineData(0L, 700, 512)]
    [InlineData(100L, 700, 412)]
    [InlineData(100L, 300, 0)]
    [InlineData(0L, 5000, 512)]
    [InlineData(512L, 1024, 512)]
    public void TearWrite_KeepsWholeSectorsOfThePrefix(long offset, int keepBytes, int kept)
    {
        var memory = new MemoryStorageDevice();
        var device = new FaultyStorageDevice(memory);
        device.Faults.TearWrite(1, keepBytes);
        using var file = device.Open("a", StorageFileMode.CreateNew);
        var data = new byte[1000];
        Array.Fill(data, (byte)7);
        Assert.Throws<IOException>(() => file.Write(offset, data));
        var bytes = memory.ReadAllBytes("a");
        Assert.Equal(kept == 0 ? 0 : offset + kept, bytes.Length);
        Assert.All(bytes.AsSpan((int)Math.Min(offset, bytes.Length)).ToArray(), b => Assert.Equal(7, b));
        file.Write(offset, data);
        Assert.Equal(offset + 1000, memory.ReadAllBytes("a").Length);
    }

    [Fact]
    public void Fail_Rename_LeavesNamesUnchanged()
    {
        var memory = new MemoryStorageDevice();
        var device = new FaultyStorageDevice(memory);
        device.Open("a", StorageFileMode.CreateNew).Dispose();
        device.Faults.Fail(StorageOperation.Rename);
        Assert.Throws<IOException>(() => device.Rename("a", "b"));
        Assert.True(memory.Exists("a"));
        Assert.False(memory.Exists("b"));
    }
}

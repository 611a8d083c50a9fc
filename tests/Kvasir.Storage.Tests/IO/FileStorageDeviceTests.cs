using Kvasir.Storage.IO;
using Kvasir.Testing;

namespace Kvasir.Storage.Tests.IO;

public sealed class FileStorageDeviceTests
{
    [Fact]
    public void WriteSyncRead_RoundTripsAtOffsets()
    {
        using var dir = new TempDir("kvasir-io");
        using var device = new FileStorageDevice(dir.Sub("d"));
        using var file = device.Open("a", StorageFileMode.CreateNew);
        file.Allocate(8192);
        Assert.Equal(8192, file.Length);
        file.Write(4096, [1, 2, 3]);
        file.Sync();
        var buffer = new byte[5];
        Assert.Equal(5, file.Read(4094, buffer));
        Assert.Equal([0, 0, 1, 2, 3], buffer);
        file.Truncate(4097);
        Assert.Equal(1, file.Read(4096, buffer));
        file.Allocate(100);
        Assert.Equal(4097, file.Length);
        device.SyncDirectory();
    }

    [Fact]
    public void RenameDeleteList_BehaveAsTheFileSystem()
    {
        using var dir = new TempDir("kvasir-io");
        using var device = new FileStorageDevice(dir.Path);
        device.Open("a.tmp", StorageFileMode.CreateNew).Dispose();
        device.Rename("a.tmp", "a");
        Assert.Equal(["a"], device.ListFiles());
        Assert.True(device.Exists("a"));
        device.Delete("a");
        device.Delete("a");
        Assert.Empty(device.ListFiles());
        Assert.Equal(Path.Combine(dir.Path, "x"), device.PathOf("x"));
    }

    [Fact]
    public void Lock_HeldInThisProcess_SecondLockThrows()
    {
        using var dir = new TempDir("kvasir-io");
        using var device = new FileStorageDevice(dir.Path);
        var first = device.Lock("wal.lock");
        var error = Assert.Throws<IOException>(() => device.Lock("wal.lock"));
        Assert.Contains("locked", error.Message, StringComparison.Ordinal);
        first.Dispose();
        device.Lock("wal.lock").Dispose();
    }

    [Fact]
    public void Constructor_MissingDirectoryWithoutCreate_Throws()
    {
        using var dir = new TempDir("kvasir-io");
        Assert.Throws<DirectoryNotFoundException>(() => new FileStorageDevice(dir.Sub("missing"), create: false));
    }
}

namespace Kvasir.Storage.IO;

/// <summary>
/// A directory on the local file system. Files are read and written with pread/pwrite, synced with
/// fdatasync, preallocated with fallocate; creating, renaming or deleting a file is made durable by
/// <see cref="SyncDirectory"/> (fsync of the directory).
/// </summary>
public sealed class FileStorageDevice : IStorageDevice
{
    /// <summary>Uses <paramref name="directory"/>; with <paramref name="create"/> it is created (and its parent synced) when missing.</summary>
    public FileStorageDevice(string directory, bool create = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Location = Path.GetFullPath(directory);
        if (!Directory.Exists(Location))
        {
            if (!create)
            {
                throw new DirectoryNotFoundException($"storage: directory {Location} does not exist");
            }

            Directory.CreateDirectory(Location);
            var parent = Path.GetDirectoryName(Location);
            if (parent is not null)
            {
                NativeFile.SyncDirectory(parent);
            }
        }
    }

    public string Location { get; }

    public string PathOf(string name) => Path.Combine(Location, name);

    public IReadOnlyList<string> ListFiles()
    {
        var names = new List<string>();
        foreach (var path in Directory.EnumerateFiles(Location))
        {
            names.Add(Path.GetFileName(path));
        }

        return names;
    }

    public bool Exists(string name) => File.Exists(PathOf(name));

    public IStorageFile Open(string name, StorageFileMode mode)
    {
        var path = PathOf(name);
        var (fileMode, access) = mode switch
        {
            StorageFileMode.CreateNew => (FileMode.CreateNew, FileAccess.ReadWrite),
            StorageFileMode.OpenExisting => (FileMode.Open, FileAccess.ReadWrite),
            StorageFileMode.ReadOnly => (FileMode.Open, FileAccess.Read),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown open mode"),
        };
        var handle = File.OpenHandle(path, fileMode, access, FileShare.ReadWrite | FileShare.Delete);
        return new FileStorageFile(handle, path);
    }

    public void Rename(string from, string to) => File.Move(PathOf(from), PathOf(to), overwrite: true);

    public void Delete(string name) => File.Delete(PathOf(name));

    public void SyncDirectory() => NativeFile.SyncDirectory(Location);

    public IDisposable Lock(string name)
    {
        var path = PathOf(name);
        try
        {
            // FileShare.None is an exclusive, non-blocking flock(2) on Unix: released when the
            // handle closes or the process dies, so a killed member never leaves it behind.
            return File.Open(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"storage: {path} is locked by another process (or another open in this one)", e);
        }
    }

    public void Dispose()
    {
    }
}

namespace Kvasir.Storage.IO;

/// <summary>
/// Wraps a device and injects the faults armed in <see cref="Faults"/>: failed writes, torn writes
/// (a prefix of whole sectors written, then an error), failed syncs, failed directory operations. A failed sync
/// leaves the data unsynced, as on a real disk, so that a crash afterwards loses it.
/// </summary>
public sealed class FaultyStorageDevice : IStorageDevice
{
    /// <summary>The unit a torn write keeps: whole 512-byte sectors of the file.</summary>
    public const int SectorBytes = 512;

    private readonly IStorageDevice _inner;

    public FaultyStorageDevice(IStorageDevice inner, StorageFaults? faults = null)
    {
        _inner = inner;
        Faults = faults ?? new StorageFaults();
    }

    public StorageFaults Faults { get; }

    public string Location => _inner.Location;

    public string PathOf(string name) => _inner.PathOf(name);

    public IReadOnlyList<string> ListFiles() => _inner.ListFiles();

    public bool Exists(string name) => _inner.Exists(name);

    public IStorageFile Open(string name, StorageFileMode mode)
    {
        if (mode == StorageFileMode.CreateNew)
        {
            Check(StorageOperation.Create, name);
        }

        return new FaultyFile(this, _inner.Open(name, mode), name);
    }

    public void Rename(string from, string to)
    {
        Check(StorageOperation.Rename, to);
        _inner.Rename(from, to);
    }

    public void Delete(string name)
    {
        Check(StorageOperation.Delete, name);
        _inner.Delete(name);
    }

    public void SyncDirectory()
    {
        Check(StorageOperation.SyncDirectory, ".");
        _inner.SyncDirectory();
    }

    public IDisposable Lock(string name) => _inner.Lock(name);

    public void Dispose() => _inner.Dispose();

    private void Check(StorageOperation operation, string name)
    {
        if (Faults.Next(operation) is not null)
        {
            throw Injected(operation, name);
        }
    }

    private IOException Injected(StorageOperation operation, string name) =>
        new($"injected fault: {operation} of {PathOf(name)} failed");

    private sealed class FaultyFile(FaultyStorageDevice device, IStorageFile inner, string name) : IStorageFile
    {
        public long Length => inner.Length;

        public int Read(long offset, Span<byte> buffer) => inner.Read(offset, buffer);

        public void Write(long offset, ReadOnlySpan<byte> data)
        {
            var fault = device.Faults.Next(StorageOperation.Write);
            if (fault is { } keep)
            {
                // A torn write keeps whole sectors: a disk writes sectors atomically, and a killed
                // process stops between pages. So the kept prefix ends on a sector boundary.
                var end = (offset + Math.Min(keep, data.Length)) / SectorBytes * SectorBytes;
                if (end > offset)
                {
                    inner.Write(offset, data[..(int)(end - offset)]);
                }

                throw device.Injected(StorageOperation.Write, name);
            }

            inner.Write(offset, data);
        }

        public void Sync()
        {
            device.Check(StorageOperation.Sync, name);
            inner.Sync();
        }

        public void Truncate(long length)
        {
            device.Check(StorageOperation.Truncate, name);
            inner.Truncate(length);
        }

        public void Allocate(long length)
        {
            device.Check(StorageOperation.Allocate, name);
            inner.Allocate(length);
        }

        public void Dispose() => inner.Dispose();
    }
}

namespace Kvasir.Storage.IO;

/// <summary>
/// A directory held in memory that keeps, beside the latest state, what a disk would still hold after
/// power loss: each file's synced content and the directory's synced names. <see cref="Crash"/>
/// turns the device into what survives (see <see cref="MemoryCrash"/>) and makes every handle opened
/// before it fail, as a dead process's would. Tests use it to crash the WAL at any instant,
/// deterministically from a seed; <see cref="Crash"/> returns the rebooted device; the test hooks (<see cref="ReadAllBytes"/>, <see cref="FlipBit"/>,
/// <see cref="SetLength"/>) change durable state directly.
/// </summary>
public sealed partial class MemoryStorageDevice : IStorageDevice
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _locks = new(StringComparer.Ordinal);
    private Dictionary<string, MemoryInode> _names = new(StringComparer.Ordinal);
    private Dictionary<string, MemoryInode> _durableNames = new(StringComparer.Ordinal);
    private List<DirectoryChange> _pendingChanges = [];
    private int _generation;
    private bool _dead;
    private long _writes;
    private long _syncs;

    public MemoryStorageDevice(string name = "wal")
    {
        Location = "memory:" + name;
    }

    public string Location { get; }

    /// <summary>How many file writes the device has taken.</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>How many file syncs the device has taken.</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    public string PathOf(string name) => Location + "/" + name;

    public IReadOnlyList<string> ListFiles()
    {
        lock (_gate)
        {
            ThrowIfDead();
            return [.. _names.Keys];
        }
    }

    public bool Exists(string name)
    {
        lock (_gate)
        {
            ThrowIfDead();
            return _names.ContainsKey(name);
        }
    }

    public IStorageFile Open(string name, StorageFileMode mode)
    {
        ValidateName(name);
        lock (_gate)
        {
            ThrowIfDead();
            if (mode == StorageFileMode.CreateNew)
            {
                if (_names.ContainsKey(name))
                {
                    throw new IOException($"memory storage: {PathOf(name)} already exists");
                }

                var inode = new MemoryInode();
                _names[name] = inode;
                _pendingChanges.Add(new DirectoryChange(name, null, inode));
                return new MemoryStorageFile(this, inode, _generation, writable: true);
            }

            return _names.TryGetValue(name, out var existing)
                ? new MemoryStorageFile(this, existing, _generation, writable: mode == StorageFileMode.OpenExisting)
                : throw new FileNotFoundException($"memory storage: {PathOf(name)} does not exist", PathOf(name));
        }
    }

    public void Rename(string from, string to)
    {
        ValidateName(to);
        lock (_gate)
        {
            ThrowIfDead();
            if (!_names.Remove(from, out var inode))
            {
                throw new FileNotFoundException($"memory storage: {PathOf(from)} does not exist", PathOf(from));
            }

            _names[to] = inode;
            _pendingChanges.Add(new DirectoryChange(to, from, inode));
        }
    }

    public void Delete(string name)
    {
        lock (_gate)
        {
            ThrowIfDead();
            if (_names.Remove(name))
            {
                _pendingChanges.Add(new DirectoryChange(name, null, null));
            }
        }
    }

    public void SyncDirectory()
    {
        lock (_gate)
        {
            ThrowIfDead();
            _durableNames = new Dictionary<string, MemoryInode>(_names, StringComparer.Ordinal);
            _pendingChanges = [];
        }
    }

    public IDisposable Lock(string name)
    {
        lock (_gate)
        {
            ThrowIfDead();
            if (!_locks.Add(name))
            {
                throw new IOException($"memory storage: {PathOf(name)} is locked by another holder");
            }

            return new LockHolder(this, name, _generation);
        }
    }

    public void Dispose()
    {
    }

    internal T Run<T>(MemoryStorageFile file, Func<MemoryInode, T> action, bool write)
    {
        lock (_gate)
        {
            Check(file, write);
            return action(file.Inode);
        }
    }

    internal void Write(MemoryStorageFile file, long offset, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            Check(file, write: true);
            file.Inode.Write(offset, data);
            _writes++;
        }
    }

    internal int Read(MemoryStorageFile file, long offset, Span<byte> buffer)
    {
        lock (_gate)
        {
            Check(file, write: false);
            var inode = file.Inode;
            if (offset >= inode.Length)
            {
                return 0;
            }

            var n = (int)Math.Min(buffer.Length, inode.Length - offset);
            inode.Data.AsSpan((int)offset, n).CopyTo(buffer);
            return n;
        }
    }

    internal void Sync(MemoryStorageFile file)
    {
        lock (_gate)
        {
            Check(file, write: false);
            file.Inode.Sync();
            _syncs++;
        }
    }

    private void Check(MemoryStorageFile file, bool write)
    {
        if (file.Generation != _generation)
        {
            throw new IOException($"memory storage: {Location} crashed; this handle belongs to the process that died");
        }

        if (write && !file.Writable)
        {
            throw new IOException($"memory storage: the file was opened read-only");
        }
    }

    private void ThrowIfDead()
    {
        if (_dead)
        {
            throw new IOException($"memory storage: {Location} crashed; this device belongs to the process that died (use the one Crash returned)");
        }
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"memory storage: invalid file name '{name}'", nameof(name));
        }
    }

    /// <summary>A create (<c>From</c> null, <c>Inode</c> set), rename (<c>From</c> set) or delete (<c>Inode</c> null) not yet synced.</summary>
    private readonly record struct DirectoryChange(string Name, string? From, MemoryInode? Inode);

    private sealed class LockHolder(MemoryStorageDevice device, string name, int generation) : IDisposable
    {
        private bool _released;

        public void Dispose()
        {
            lock (device._gate)
            {
                if (!_released && generation == device._generation)
                {
                    device._locks.Remove(name);
                }

                _released = true;
            }
        }
    }
}

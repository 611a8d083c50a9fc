namespace Kvasir.Storage.IO;

/// <summary>An open file of a <see cref="MemoryStorageDevice"/>; it fails once the device has crashed.</summary>
internal sealed class MemoryStorageFile : IStorageFile
{
    private readonly MemoryStorageDevice _device;

    public MemoryStorageFile(MemoryStorageDevice device, MemoryInode inode, int generation, bool writable)
    {
        _device = device;
        Inode = inode;
        Generation = generation;
        Writable = writable;
    }

    public MemoryInode Inode { get; }

    public int Generation { get; }

    public bool Writable { get; }

    public long Length => _device.Run(this, static inode => inode.Length, write: false);

    public int Read(long offset, Span<byte> buffer) => _device.Read(this, offset, buffer);

    public void Write(long offset, ReadOnlySpan<byte> data) => _device.Write(this, offset, data);

    public void Sync() => _device.Sync(this);

    public void Truncate(long length) => _device.Run(this, inode => { inode.SetLength(length); return 0; }, write: true);

    public void Allocate(long length) => _device.Run(
        this,
        inode =>
        {
            if (length > inode.Length)
            {
                inode.SetLength(length);
            }

            return 0;
        },
        write: true);

    public void Dispose()
    {
    }
}

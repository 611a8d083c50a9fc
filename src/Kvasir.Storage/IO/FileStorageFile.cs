using Microsoft.Win32.SafeHandles;

namespace Kvasir.Storage.IO;

/// <summary>An open file of a <see cref="FileStorageDevice"/>.</summary>
internal sealed class FileStorageFile : IStorageFile
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;

    public FileStorageFile(SafeFileHandle handle, string path)
    {
        _handle = handle;
        _path = path;
    }

    public long Length => RandomAccess.GetLength(_handle);

    public int Read(long offset, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = RandomAccess.Read(_handle, buffer[total..], offset + total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    public void Write(long offset, ReadOnlySpan<byte> data) => RandomAccess.Write(_handle, data, offset);

    public void Sync() => NativeFile.DataSync(_handle, _path);

    public void Truncate(long length) => RandomAccess.SetLength(_handle, length);

    public void Allocate(long length)
    {
        if (length > Length)
        {
            NativeFile.Allocate(_handle, _path, length);
        }
    }

    public void Dispose() => _handle.Dispose();
}

using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Kvasir.Storage.IO;

/// <summary>
/// The libc calls .NET does not expose: fdatasync, fsync of a directory and fallocate, for any
/// storage code that keeps its own file handles. Linux first; other Unix systems fall back to
/// fsync, and fallocate to extending the file with ftruncate. Every failure throws
/// <see cref="IOException"/> naming the call, the path and errno; a failed sync must not be retried.
/// </summary>
public static partial class NativeFile
{
    private const int ENOSYS = 38;
    private const int EOPNOTSUPP = 95;
    private const int EINTR = 4;

    /// <summary>fdatasync(2) on Linux, fsync(2) elsewhere. Throws <see cref="IOException"/> with errno; never retried.</summary>
    public static void DataSync(SafeFileHandle handle, string path)
    {
        EnsureUnix();
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var fd = (int)handle.DangerousGetHandle();
            var rc = OperatingSystem.IsLinux() ? FDataSync(fd) : FSync(fd);
            if (rc != 0)
            {
                throw Error("fdatasync", path, Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>Makes a directory's entries durable: open, fsync, close.</summary>
    public static void SyncDirectory(string path)
    {
        EnsureUnix();
        var fd = OpenReadOnly(path, 0);
        if (fd < 0)
        {
            throw Error("open (directory)", path, Marshal.GetLastPInvokeError());
        }

        try
        {
            if (FSync(fd) != 0)
            {
                throw Error("fsync (directory)", path, Marshal.GetLastPInvokeError());
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Extends the file to <paramref name="length"/> with allocated, zero-reading space (fallocate mode 0).
    /// Where the file system cannot allocate, the file is extended sparsely instead.
    /// </summary>
    public static void Allocate(SafeFileHandle handle, string path, long length)
    {
        EnsureUnix();
        if (OperatingSystem.IsLinux())
        {
            var added = false;
            try
            {
                handle.DangerousAddRef(ref added);
                var fd = (int)handle.DangerousGetHandle();
                while (true)
                {
                    if (FAllocate(fd, 0, 0, length) == 0)
                    {
                        return;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == EINTR)
                    {
                        continue;
                    }

                    if (errno != EOPNOTSUPP && errno != ENOSYS)
                    {
                        throw Error("fallocate", path, errno);
                    }

                    break;
                }
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }

        if (RandomAccess.GetLength(handle) < length)
        {
            RandomAccess.SetLength(handle, length);
        }
    }

    private static void EnsureUnix()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Kvasir's file storage needs Linux (or another Unix): it syncs files with fdatasync and directories with fsync");
        }
    }

    private static IOException Error(string call, string path, int errno) =>
        new($"{call} of {path} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FDataSync(int fd);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    private static partial int FAllocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenReadOnly(string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}

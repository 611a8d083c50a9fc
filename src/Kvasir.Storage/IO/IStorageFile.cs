namespace Kvasir.Storage.IO;

/// <summary>
/// An open file of an <see cref="IStorageDevice"/>, read and written at explicit offsets (pread and
/// pwrite). One writer at a time; reads may run beside it.
/// </summary>
public interface IStorageFile : IDisposable
{
    /// <summary>The file's length in bytes.</summary>
    long Length { get; }

    /// <summary>Reads up to <paramref name="buffer"/>'s length at <paramref name="offset"/>; returns the bytes read (fewer only at the end of the file).</summary>
    int Read(long offset, Span<byte> buffer);

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/>, extending the file if needed.</summary>
    void Write(long offset, ReadOnlySpan<byte> data);

    /// <summary>
    /// Makes the data written so far durable (fdatasync): on return it survives power loss, and so does
    /// the file's length. A failure is fatal for the caller; it must not retry and continue.
    /// </summary>
    void Sync();

    /// <summary>Sets the length to <paramref name="length"/> (ftruncate): shorter drops the bytes after it, longer reads as zeros.</summary>
    void Truncate(long length);

    /// <summary>
    /// Reserves space up to <paramref name="length"/> bytes and extends the file to it with zeros
    /// (fallocate), so that later writes inside it need no allocation. A shorter request does nothing.
    /// </summary>
    void Allocate(long length);
}

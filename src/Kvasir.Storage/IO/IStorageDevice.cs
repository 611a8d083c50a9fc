namespace Kvasir.Storage.IO;

/// <summary>
/// One directory of durable files: the storage the WAL and the snapshot files are written to. The
/// file implementation (<see cref="FileStorageDevice"/>) is the real one; the memory implementation
/// (<see cref="MemoryStorageDevice"/>) simulates power loss; <see cref="FaultyStorageDevice"/> wraps
/// either and fails or tears chosen operations, so that repair and failure paths are tested.
/// </summary>
/// <remarks>
/// Durability contract (the POSIX one): a file's data is durable once <see cref="IStorageFile.Sync"/>
/// returns; a name created, renamed or deleted is durable once <see cref="SyncDirectory"/> returns.
/// Every method throws <see cref="IOException"/> on failure; a caller that needs durability treats
/// a failed sync as fatal and never retries it.
/// </remarks>
public interface IStorageDevice : IDisposable
{
    /// <summary>Where the directory is, for messages (a path, or <c>memory:name</c>).</summary>
    string Location { get; }

    /// <summary>The full name of <paramref name="name"/> inside the directory, for messages.</summary>
    string PathOf(string name);

    /// <summary>The names of the files in the directory (not subdirectories), in no particular order.</summary>
    IReadOnlyList<string> ListFiles();

    bool Exists(string name);

    /// <summary>Opens <paramref name="name"/>; the caller owns the returned file and disposes it.</summary>
    IStorageFile Open(string name, StorageFileMode mode);

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/>, replacing it atomically if it exists (rename(2)).</summary>
    void Rename(string from, string to);

    /// <summary>Deletes <paramref name="name"/>; a file that does not exist is not an error.</summary>
    void Delete(string name);

    /// <summary>Makes the directory's names durable (fsync of the directory).</summary>
    void SyncDirectory();

    /// <summary>
    /// Takes an exclusive lock named <paramref name="name"/> on the directory, held until the returned
    /// object is disposed or the process ends; throws <see cref="IOException"/> when another holder has it.
    /// </summary>
    IDisposable Lock(string name);
}

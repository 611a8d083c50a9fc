namespace Kvasir.Storage.IO;

/// <summary>How <see cref="IStorageDevice.Open"/> opens a file.</summary>
public enum StorageFileMode
{
    /// <summary>Creates the file, which must not exist, for reading and writing.</summary>
    CreateNew,

    /// <summary>Opens an existing file for reading and writing.</summary>
    OpenExisting,

    /// <summary>Opens an existing file for reading only.</summary>
    ReadOnly,
}

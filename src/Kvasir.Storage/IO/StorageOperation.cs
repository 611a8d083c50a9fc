namespace Kvasir.Storage.IO;

/// <summary>The operations a <see cref="FaultyStorageDevice"/> counts and can fail.</summary>
public enum StorageOperation
{
    Write,
    Sync,
    Truncate,
    Allocate,
    Create,
    Rename,
    Delete,
    SyncDirectory,
}

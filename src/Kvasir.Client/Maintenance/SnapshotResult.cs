namespace Kvasir.Client;

/// <summary>What <see cref="MaintenanceClient.SnapshotAsync"/> wrote.</summary>
/// <param name="Bytes">Bytes written: the backend database followed by its 32-byte SHA-256, as etcd sends it.</param>
/// <param name="Revision">The store revision in the header of the first message; 0 when the server sends none (etcd 3.4).</param>
public readonly record struct SnapshotResult(long Bytes, long Revision);

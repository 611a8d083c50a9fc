using Kvasir.Raft;

namespace Kvasir.Storage.Snap;

/// <summary>A Raft snapshot file's content: the metadata (index, term, conf state) and the member's payload.</summary>
/// <param name="Metadata">Index, term and conf state of the snapshot.</param>
/// <param name="Payload">The small payload the member saved with it (the data proper is the MVCC backend image).</param>
/// <param name="File">The file's full name.</param>
public sealed record RaftSnapshot(SnapshotMetadata Metadata, byte[] Payload, string File);

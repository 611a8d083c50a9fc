namespace Kvasir.Storage.Wal;

/// <summary>The kinds of WAL record (FORMAT.md, "Record types"). The numbers are on disk: never renumber.</summary>
public enum WalRecordType : byte
{
    /// <summary>First record of every segment: magic, format version, seq, first index, carried CRC.</summary>
    SegmentHeader = 1,

    /// <summary>The member's identity: cluster id and member id. Second record of every segment.</summary>
    Metadata = 2,

    /// <summary>A Raft log entry (raftpb.Entry).</summary>
    Entry = 3,

    /// <summary>Raft's HardState (term, vote, commit); the last one read is the current one.</summary>
    HardState = 4,

    /// <summary>A Raft snapshot marker (raftpb.SnapshotMetadata: index, term, conf state).</summary>
    Snapshot = 5,
}

namespace Kvasir.Raft;

/// <summary>The outcome of a read from, or a change to, the Raft log storage.</summary>
public enum RaftLogStatus
{
    /// <summary>Done.</summary>
    Ok = 0,

    /// <summary>The index is before the first retained entry: a snapshot covers it now.</summary>
    Compacted = 1,

    /// <summary>The index is after the last entry, or the entries are not (yet) there.</summary>
    Unavailable = 2,

    /// <summary>No snapshot can be handed out now (one is being made); Raft asks again later.</summary>
    SnapshotTemporarilyUnavailable = 3,

    /// <summary>The snapshot given is not newer than the one the storage holds; nothing changed.</summary>
    SnapshotOutOfDate = 4,
}

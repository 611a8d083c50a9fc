namespace Kvasir.Raft;

/// <summary>
/// The persisted Raft log as Raft reads it: the latest snapshot, then the entries after it. Raft
/// never writes through this interface; the host appends what a Ready hands it and calls Advance.
/// Expected refusals (compacted, unavailable) are results, not exceptions: an index Raft asks for
/// can be compacted by the host at any moment.
/// </summary>
/// <remarks>
/// Index arithmetic: the snapshot covers every index up to SnapshotIndex; entries run from
/// <see cref="FirstIndex"/> = SnapshotIndex + 1 to <see cref="LastIndex"/> (empty when
/// LastIndex = SnapshotIndex). The term of SnapshotIndex itself stays readable through
/// <see cref="Term"/> so that Raft can match the entry just before the first retained one.
/// </remarks>
public interface IRaftLog
{
    /// <summary>The persisted HardState and the snapshot's ConfState, read once when a node starts.</summary>
    RaftInitialState InitialState();

    /// <summary>
    /// Appends the entries [lo, hi) to <paramref name="into"/>, stopping once their encoded size
    /// would pass <paramref name="maxSize"/> — but always at least one entry when lo &lt; hi.
    /// Returns <see cref="RaftLogStatus.Compacted"/> when lo &lt; FirstIndex and
    /// <see cref="RaftLogStatus.Unavailable"/> when the entries are missing; <paramref name="into"/>
    /// is then unchanged. hi must not exceed LastIndex + 1.
    /// </summary>
    RaftLogStatus Entries(ulong lo, ulong hi, ulong maxSize, List<Entry> into);

    /// <summary>
    /// The term of the entry at <paramref name="index"/>, for FirstIndex - 1 ≤ index ≤ LastIndex.
    /// Below that <see cref="RaftLogStatus.Compacted"/>, above it <see cref="RaftLogStatus.Unavailable"/>.
    /// </summary>
    RaftLogStatus Term(ulong index, out ulong term);

    /// <summary>The index of the first entry that may be read with <see cref="Entries"/> (the snapshot's index + 1).</summary>
    ulong FirstIndex();

    /// <summary>The index of the last entry; the snapshot's index when no entry follows it.</summary>
    ulong LastIndex();

    /// <summary>
    /// The latest snapshot, to send to a follower that needs compacted entries. Returns
    /// <see cref="RaftLogStatus.SnapshotTemporarilyUnavailable"/> while one is being made.
    /// </summary>
    RaftLogStatus Snapshot(out Snapshot snapshot);
}

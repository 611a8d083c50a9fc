using Kvasir.Raft;

namespace Kvasir.Storage.Wal;

/// <summary>
/// What a WAL holds after a snapshot: the member's identity, the last HardState, the entries after
/// the snapshot index (each later entry with an index already seen replaced it and everything after
/// it), the snapshot markers read, and the torn tail that was (or, read-only, would be) cut off.
/// </summary>
public sealed class WalReadResult
{
    internal WalReadResult(WalMetadata metadata, HardState hardState, List<Entry> entries, WalSnapshot snapshot, List<SnapshotMetadata> markers, WalTornTail? tornTail, ulong lastIndex)
    {
        Metadata = metadata;
        HardState = hardState;
        Entries = entries;
        Snapshot = snapshot;
        SnapshotMarkers = markers;
        TornTail = tornTail;
        LastIndex = lastIndex;
    }

    public WalMetadata Metadata { get; }

    /// <summary>The last HardState saved; all zeros when none was.</summary>
    public HardState HardState { get; }

    /// <summary>The entries with index above <see cref="Snapshot"/>'s, contiguous and in order.</summary>
    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>The snapshot the WAL was read from (its marker was found).</summary>
    public WalSnapshot Snapshot { get; }

    /// <summary>Every snapshot marker read, in log order (from the segment holding <see cref="Snapshot"/> on).</summary>
    public IReadOnlyList<SnapshotMetadata> SnapshotMarkers { get; }

    /// <summary>The torn tail cut off the last segment; null when the log ended cleanly.</summary>
    public WalTornTail? TornTail { get; }

    /// <summary>The index of the last entry, or of the last snapshot when no entry follows it.</summary>
    public ulong LastIndex { get; }
}

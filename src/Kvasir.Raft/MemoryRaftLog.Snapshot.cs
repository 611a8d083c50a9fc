using Google.Protobuf;

namespace Kvasir.Raft;

// Snapshots: making one from the host's state machine and installing one received from a leader.
public sealed partial class MemoryRaftLog
{
    /// <summary>
    /// Records a snapshot of the host's state machine as of <paramref name="index"/> (an applied
    /// index), with the configuration in force there. Entries stay until <see cref="Compact"/>.
    /// Returns <see cref="RaftLogStatus.SnapshotOutOfDate"/> when the log already holds a snapshot
    /// at or after <paramref name="index"/>; an index after the last entry throws.
    /// </summary>
    public RaftLogStatus CreateSnapshot(ulong index, ConfState confState, ByteString data, out Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(confState);
        ArgumentNullException.ThrowIfNull(data);
        lock (_lock)
        {
            if (index <= _snapshot.Metadata.Index)
            {
                snapshot = _snapshot;
                return RaftLogStatus.SnapshotOutOfDate;
            }

            var last = _snapIndex + (ulong)_count;
            if (index > last)
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"snapshot at {index} is past the last index {last}");
            }

            if (index < _snapIndex)
            {
                throw new ArgumentOutOfRangeException(nameof(index), $"snapshot at {index} is before the compacted prefix ending at {_snapIndex}, whose term is gone");
            }

            var term = index == _snapIndex ? _snapTerm : _buf[_start + (int)(index - _snapIndex - 1)].Term;
            _snapshot = new Snapshot
            {
                Data = data,
                Metadata = new SnapshotMetadata { Index = index, Term = term, ConfState = confState.Clone() },
            };
            snapshot = _snapshot;
            return RaftLogStatus.Ok;
        }
    }

    /// <summary>
    /// Replaces the whole log with <paramref name="snapshot"/> (from a Ready, on a follower that
    /// received one): every entry is dropped, FirstIndex becomes the snapshot's index + 1. Returns
    /// <see cref="RaftLogStatus.SnapshotOutOfDate"/> and changes nothing when the log's snapshot is
    /// not older.
    /// </summary>
    public RaftLogStatus ApplySnapshot(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Metadata is null)
        {
            throw new ArgumentException("snapshot has no metadata", nameof(snapshot));
        }

        lock (_lock)
        {
            var current = _snapshot.Metadata.Index;
            if (current != 0 && current >= snapshot.Metadata.Index)
            {
                return RaftLogStatus.SnapshotOutOfDate;
            }

            _snapshot = snapshot.Metadata.ConfState is null
                ? new Snapshot { Data = snapshot.Data, Metadata = new SnapshotMetadata { Index = snapshot.Metadata.Index, Term = snapshot.Metadata.Term, ConfState = new ConfState() } }
                : snapshot;
            Array.Clear(_buf, _start, _count);
            _start = 0;
            _count = 0;
            _snapIndex = snapshot.Metadata.Index;
            _snapTerm = snapshot.Metadata.Term;
            return RaftLogStatus.Ok;
        }
    }
}

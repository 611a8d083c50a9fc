using Kvasir.Raft;

namespace Kvasir.Storage.Wal;

/// <summary>
/// Rebuilds the log from verified records in order: keeps the last HardState and the metadata
/// (which must agree everywhere), applies entries after the snapshot (a later entry with an index
/// already held replaces it and everything after it; a gap is corruption), collects markers.
/// </summary>
internal sealed class WalLogBuilder
{
    private readonly WalSnapshot _at;
    private readonly bool _markersOnly;
    private readonly List<Entry> _entries = [];
    private readonly List<SnapshotMetadata> _markers = [];
    private WalMetadata? _metadata;
    private HardState _hardState = new();
    private string _hardStatePath = "";
    private long _hardStateOffset;
    private ulong _lastEntryIndex;
    private bool _matched;

    public WalLogBuilder(WalSnapshot at, bool markersOnly)
    {
        _at = at;
        _markersOnly = markersOnly;
    }

    public ulong LastSnapshotIndex { get; private set; }

    public void Apply(string path, WalRecordView record)
    {
        switch (record.Type)
        {
            case WalRecordType.Entry:
                if (!_markersOnly)
                {
                    ApplyEntry(path, record.Offset, WalReader.Parse(Entry.Parser, path, record.Offset, record.Payload));
                }

                break;
            case WalRecordType.HardState:
                _hardState = WalReader.Parse(HardState.Parser, path, record.Offset, record.Payload);
                _hardStatePath = path;
                _hardStateOffset = record.Offset;
                break;
            case WalRecordType.Snapshot:
                ApplyMarker(WalReader.Parse(SnapshotMetadata.Parser, path, record.Offset, record.Payload));
                break;
            case WalRecordType.Metadata:
                if (!WalMetadata.TryRead(record.Payload, out var metadata))
                {
                    throw new WalCorruptException(path, record.Offset, "the metadata record is malformed");
                }

                if (_metadata is { } known && known != metadata)
                {
                    throw new WalCorruptException(path, record.Offset, $"the metadata ({metadata}) conflicts with earlier segments ({known})");
                }

                _metadata = metadata;
                break;
            default:
                throw new WalCorruptException(path, record.Offset, $"a {record.Type} record inside a segment");
        }
    }

    public WalReadResult Finish(string lastPath, long endOffset, WalTornTail? torn)
    {
        if (_metadata is not { } metadata)
        {
            throw new WalCorruptException(lastPath, endOffset, "the WAL holds no metadata record");
        }

        if (!_markersOnly && !_matched)
        {
            throw new WalException($"wal: no snapshot marker for {_at} in the WAL (is the snapshot from another member, or newer than the log?)");
        }

        var lastIndex = Math.Max(_at.Index, Math.Max(_lastEntryIndex, LastSnapshotIndex));
        if (!_markersOnly && _hardState.Commit > lastIndex)
        {
            throw new WalCorruptException(_hardStatePath, _hardStateOffset, $"the hard state commits index {_hardState.Commit} but the log ends at index {lastIndex}: entries are missing");
        }

        return new WalReadResult(metadata, _hardState, _entries, _at, _markers, torn, lastIndex);
    }

    private void ApplyEntry(string path, long offset, Entry entry)
    {
        if (entry.Index > _at.Index)
        {
            var position = entry.Index - _at.Index - 1;
            if (position > (ulong)_entries.Count)
            {
                throw new WalCorruptException(path, offset, $"entry {entry.Index} leaves a gap after index {_at.Index + (ulong)_entries.Count}");
            }

            if (position < (ulong)_entries.Count)
            {
                _entries.RemoveRange((int)position, _entries.Count - (int)position);
            }

            _entries.Add(entry);
        }

        _lastEntryIndex = entry.Index;
    }

    private void ApplyMarker(SnapshotMetadata marker)
    {
        _markers.Add(marker);
        LastSnapshotIndex = marker.Index;
        if (marker.Index == _at.Index)
        {
            if (marker.Term != _at.Term)
            {
                throw new WalException($"wal: the snapshot marker at index {marker.Index} has term {marker.Term}, not {_at.Term} (snapshot and WAL disagree)");
            }

            _matched = true;
        }
    }
}

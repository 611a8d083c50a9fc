namespace Kvasir.Storage.Wal;

/// <summary>Starting a new segment (on the flusher thread) and releasing old ones (on the caller's).</summary>
public sealed partial class WriteAheadLog
{
    /// <summary>
    /// Seals the current segment and starts the next with <paramref name="bytes"/> (its header first).
    /// Order, for crash safety: the current segment is made durable and cut to its end; the next
    /// file's first records are made durable under its temporary name; only then is it renamed to
    /// its segment name and the directory synced. So a segment with a name is never torn except the
    /// last, and every segment but the last ends exactly at its last record.
    /// </summary>
    private void StartSegment(in WalRun run, ReadOnlySpan<byte> bytes)
    {
        _file.Truncate(_fileEnd);
        _file.Sync();
        Interlocked.Increment(ref _syncs);

        var prepared = _preparer.Take();
        var name = new WalSegmentName(run.Seq, run.NameIndex);
        try
        {
            prepared.File.Write(0, bytes);
            prepared.File.Sync();
            Interlocked.Increment(ref _syncs);
            _device.Rename(prepared.Name, name.FileName);
            _device.SyncDirectory();
        }
        catch
        {
            prepared.File.Dispose();
            throw;
        }

        _file.Dispose();
        _file = prepared.File;
        _fileName = name.FileName;
        _fileEnd = bytes.Length;
        _unsynced = false;
        lock (_segmentsGate)
        {
            _segments.Add(name);
        }

        Interlocked.Increment(ref _segmentsCut);
        _preparer.PrepareNext();
    }

    /// <summary>
    /// Deletes segments wholly before the durable snapshot at <paramref name="snapshotIndex"/> (those
    /// whose successor starts at or before it), oldest first, keeping at least
    /// <see cref="WalOptions.MaxWals"/> segment files (0: delete none). Call it after
    /// <see cref="SaveSnapshotAsync"/> completed for that index and a hard state committing it is
    /// durable (Raft applies, hence snapshots, only committed entries). Returns the deleted file names.
    /// </summary>
    public IReadOnlyList<string> ReleaseTo(ulong snapshotIndex)
    {
        var durable = (ulong)Interlocked.Read(ref _durableSnapshotIndex);
        if (snapshotIndex > durable)
        {
            throw new ArgumentOutOfRangeException(nameof(snapshotIndex), snapshotIndex, $"wal: no durable snapshot marker at index {snapshotIndex}; the last durable one is at {durable}");
        }

        // After a crash only markers at or below the durable commit are offered to start from; a
        // release past the durable commit would leave no segment to open at the snapshot offered.
        var commit = (ulong)Interlocked.Read(ref _durableCommit);
        if (snapshotIndex > commit)
        {
            throw new ArgumentOutOfRangeException(nameof(snapshotIndex), snapshotIndex, $"wal: snapshot index {snapshotIndex} is above the durable commit {commit}; save the hard state first");
        }

        var deleted = new List<string>();
        if (_options.MaxWals == 0)
        {
            return deleted;
        }

        lock (_segmentsGate)
        {
            var releasable = 0;
            while (releasable + 1 < _segments.Count && _segments[releasable + 1].Index <= snapshotIndex)
            {
                releasable++;
            }

            var remove = Math.Min(releasable, _segments.Count - _options.MaxWals);
            for (var i = 0; i < remove; i++)
            {
                var name = _segments[0].FileName;
                _device.Delete(name);
                _segments.RemoveAt(0);
                deleted.Add(name);
            }
        }

        if (deleted.Count > 0)
        {
            _device.SyncDirectory();
        }

        return deleted;
    }
}

using System.Text.Json;
using Google.Protobuf;
using Kvasir.Raft;

namespace Kvasir.Server.Member;

// Raft snapshots every --snapshot-count applied entries, so the WAL and the in-memory log stay small.
public sealed partial class MemberServer
{
    // The configurations in force from each index on (the snapshot's, then every applied conf change).
    private readonly List<(ulong Index, ConfState ConfState)> _confStates = [];
    private ulong _lastSnapshotIndex;
    private int _snapshotting;
    private Task _snapshotTask = Task.CompletedTask;

    /// <summary>The index of the last Raft snapshot taken (or loaded at start).</summary>
    public ulong SnapshotIndex => Volatile.Read(ref _lastSnapshotIndex);

    /// <summary>Called after each applied batch: starts a snapshot when more than --snapshot-count entries were applied since the last.</summary>
    private void MaybeSnapshot(ulong applied)
    {
        if (applied - Volatile.Read(ref _lastSnapshotIndex) <= _config.SnapshotCount || Interlocked.Exchange(ref _snapshotting, 1) != 0)
        {
            return;
        }

        _snapshotTask = Task.Run(SnapshotAsync);
    }

    /// <summary>
    /// Takes a Raft snapshot at the store's consistent index, in the order that keeps a crash at any
    /// point recoverable: the backend commits durably (so it covers the index on disk) → the .snap
    /// file → the WAL's snapshot marker (synced, with the hard state that commits it) → release of
    /// the WAL segments before it → purge of old .snap files → compaction of the in-memory log,
    /// keeping --snapshot-catchup-entries behind the snapshot. Runs beside the applier; a failure is
    /// fatal, as etcd's.
    /// </summary>
    private async Task SnapshotAsync()
    {
        try
        {
            var start = _time.GetTimestamp();
            var index = (ulong)Store.ConsistentIndex;
            if (index <= Volatile.Read(ref _lastSnapshotIndex))
            {
                return;
            }

            Store.Commit(durable: true);
            var log = _storage.Log;
            if (log.CreateSnapshot(index, ConfStateAt(index), ByteString.Empty, out var snapshot) != RaftLogStatus.Ok)
            {
                return;
            }

            _storage.Snapshotter.Save(snapshot.Metadata, SnapshotPayload());
            await _storage.Wal.SaveSnapshotAsync(snapshot.Metadata, CancellationToken.None).ConfigureAwait(false);
            var released = _storage.Wal.ReleaseTo(index);
            var purged = _storage.Snapshotter.Purge((int)Math.Min(_config.MaxSnapshots, int.MaxValue));
            if (index > _config.SnapshotCatchUpEntries)
            {
                log.Compact(index - _config.SnapshotCatchUpEntries);
            }

            Volatile.Write(ref _lastSnapshotIndex, index);
            _metrics.SnapshotTaken(_time.GetElapsedTime(start));
            LogSnapshot(index, snapshot.Metadata.Term, released.Count, purged.Count, _time.GetElapsedTime(start).TotalMilliseconds);
        }
        catch (Exception e)
        {
            Fatal(new InvalidOperationException($"taking a Raft snapshot failed: {e.Message}", e));
        }
        finally
        {
            Volatile.Write(ref _snapshotting, 0);
        }
    }

    private ConfState ConfStateAt(ulong index)
    {
        lock (_confStates)
        {
            var found = _confStates[0].ConfState;
            var keepFrom = 0;
            for (var i = 0; i < _confStates.Count; i++)
            {
                if (_confStates[i].Index <= index)
                {
                    found = _confStates[i].ConfState;
                    keepFrom = i;
                }
            }

            // Configurations older than the one in force at the snapshot are never asked for again.
            _confStates.RemoveRange(0, keepFrom);
            return found;
        }
    }

    // The .snap file's payload: the members, for a reader of the file (the data proper is the backend).
    private byte[] SnapshotPayload() => JsonSerializer.SerializeToUtf8Bytes(Members.List());
}

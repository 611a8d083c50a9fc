using Google.Protobuf;
using Kvasir.Raft;

namespace Kvasir.Storage.Wal;

/// <summary>Appending: validation, encoding into the filling batch, and waiting for durability.</summary>
public sealed partial class WriteAheadLog
{
    private ulong _hardTerm;
    private ulong _hardVote;
    private ulong _hardCommit;

    /// <summary>
    /// Appends one Ready's worth: <paramref name="entries"/> (contiguous; the first may replace the
    /// log from its index on, never a committed entry) and then <paramref name="hardState"/> (skipped
    /// when null or empty). Returns once the records are in the batch, in order after every earlier
    /// append; await <see cref="WaitDurableAsync"/> with the position to know they are durable.
    /// With <paramref name="mustSync"/> false (Raft's MustSync) the batch is written without an
    /// fdatasync unless another append in it needs one. Waits only when the pending batch is full.
    /// Invalid input throws <see cref="ArgumentException"/> and appends nothing.
    /// </summary>
    public ValueTask<WalPosition> AppendAsync(HardState? hardState, IReadOnlyList<Entry> entries, bool mustSync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        cancellationToken.ThrowIfCancellationRequested();
        if (_flusher is null)
        {
            return new ValueTask<WalPosition>(AppendOnCaller(hardState, entries, null, mustSync));
        }

        return TryAppend(hardState, entries, null, mustSync, out var position, out var space)
            ? new ValueTask<WalPosition>(position)
            : AppendWhenSpaceAsync(hardState, entries, null, mustSync, space, cancellationToken);
    }

    /// <summary><see cref="AppendAsync"/> with an fdatasync, completing when the append is durable.</summary>
    public ValueTask SaveAsync(HardState? hardState, IReadOnlyList<Entry> entries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        cancellationToken.ThrowIfCancellationRequested();
        if (_flusher is null)
        {
            return FlushOnCaller(AppendOnCaller(hardState, entries, null, mustSync: true));
        }

        return TryAppend(hardState, entries, null, mustSync: true, out var position, out var space)
            ? WaitDurableAsync(position, cancellationToken)
            : SaveWhenSpaceAsync(hardState, entries, space, cancellationToken);
    }

    /// <summary>
    /// Records a Raft snapshot marker (index, term, conf state), durably. Save the .snap file first:
    /// a marker without its file would name a snapshot that does not exist. A marker above the last
    /// index restarts the log after it (a follower installing a leader's snapshot).
    /// </summary>
    public async ValueTask<WalPosition> SaveSnapshotAsync(SnapshotMetadata snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (_flusher is null)
        {
            var inline = AppendOnCaller(null, [], snapshot, mustSync: true);
            await FlushOnCaller(inline).ConfigureAwait(false);
            return inline;
        }

        var position = TryAppend(null, [], snapshot, mustSync: true, out var p, out var space)
            ? p
            : await AppendWhenSpaceAsync(null, [], snapshot, mustSync: true, space, cancellationToken).ConfigureAwait(false);
        await WaitDurableAsync(position, cancellationToken).ConfigureAwait(false);
        return position;
    }

    /// <summary>
    /// Completes when the batch at <paramref name="position"/> is written and, if any append in it
    /// asked, synced; throws <see cref="WalFatalException"/> if the WAL failed first. Cancelling
    /// stops the wait, not the write. With <see cref="WalOptions.FlushOnCaller"/> the calling thread
    /// writes (and syncs) the batch before this returns, and the result is already complete.
    /// </summary>
    public ValueTask WaitDurableAsync(WalPosition position, CancellationToken cancellationToken)
    {
        if (_flusher is null)
        {
            return FlushOnCaller(position);
        }

        Task task;
        lock (_gate)
        {
            if (position.Batch <= _completed)
            {
                return ValueTask.CompletedTask;
            }

            if (_fatal is not null)
            {
                return ValueTask.FromException(_fatal);
            }

            if (_flushing is not null && _flushing.Sequence == position.Batch)
            {
                task = _flushing.Done.Task;
            }
            else if (_filling.Sequence == position.Batch)
            {
                task = _filling.Done.Task;
            }
            else
            {
                throw new ArgumentOutOfRangeException(nameof(position), position, "wal: no such position (it was not returned by this WAL)");
            }
        }

        return cancellationToken.CanBeCanceled ? new ValueTask(task.WaitAsync(cancellationToken)) : new ValueTask(task);
    }

    private async ValueTask<WalPosition> AppendWhenSpaceAsync(HardState? hardState, IReadOnlyList<Entry> entries, SnapshotMetadata? snapshot, bool mustSync, Task space, CancellationToken cancellationToken)
    {
        while (true)
        {
            await space.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (TryAppend(hardState, entries, snapshot, mustSync, out var position, out space))
            {
                return position;
            }
        }
    }

    private async ValueTask SaveWhenSpaceAsync(HardState? hardState, IReadOnlyList<Entry> entries, Task space, CancellationToken cancellationToken)
    {
        var position = await AppendWhenSpaceAsync(hardState, entries, null, mustSync: true, space, cancellationToken).ConfigureAwait(false);
        await WaitDurableAsync(position, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Validates and encodes one append into the filling batch; false (with a task to await) when the batch is full.</summary>
    private bool TryAppend(HardState? hardState, IReadOnlyList<Entry> entries, SnapshotMetadata? snapshot, bool mustSync, out WalPosition position, out Task space)
    {
        var withHardState = hardState is not null && (hardState.Term | hardState.Vote | hardState.Commit) != 0;
        lock (_gate)
        {
            if (_fatal is not null)
            {
                throw _fatal;
            }

            ObjectDisposedException.ThrowIf(_closing, this);
            var bytes = Validate(withHardState ? hardState : null, entries, snapshot);
            if (!_filling.IsEmpty && _filling.Length + bytes > _options.MaxBatchBytes)
            {
                _spaceFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                space = _spaceFreed.Task;
                position = default;
                return false;
            }

            var wasEmpty = _filling.IsEmpty;
            if (wasEmpty)
            {
                _filling.FirstAppendTimestamp = _time.GetTimestamp();
            }

            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                Encode(WalRecordType.Entry, entry);
                _lastIndex = entry.Index;
            }

            if (snapshot is not null)
            {
                Encode(WalRecordType.Snapshot, snapshot);
                _snapshotIndex = snapshot.Index;
                _lastIndex = Math.Max(_lastIndex, snapshot.Index);
                _filling.SnapshotIndex = snapshot.Index;
            }

            if (withHardState)
            {
                Encode(WalRecordType.HardState, hardState!);
                (_hardTerm, _hardVote, _hardCommit) = (hardState!.Term, hardState.Vote, hardState.Commit);
                _filling.Commit = hardState.Commit;
            }

            _filling.MustSync |= mustSync;
            _filling.Appends++;
            _filling.Entries += entries.Count;
            _filling.LastIndex = _lastIndex;
            position = new WalPosition(_filling.Sequence);
            space = Task.CompletedTask;
            if (wasEmpty || _fillWaiting)
            {
                _fillWaiting = false;
                _wake.Set();
            }

            return true;
        }
    }

    /// <summary>Checks an append against the log (under the lock, before anything changes); returns its record bytes.</summary>
    private long Validate(HardState? hardState, IReadOnlyList<Entry> entries, SnapshotMetadata? snapshot)
    {
        long bytes = 0;
        var lastAfter = _lastIndex;
        if (entries.Count > 0)
        {
            var first = entries[0] ?? throw new ArgumentException("wal: entry 0 of the append is null", nameof(entries));
            var floor = Math.Max(_hardCommit, _snapshotIndex);
            if (first.Index <= floor)
            {
                throw new ArgumentException($"wal: entry {first.Index} would replace a committed entry (commit {_hardCommit}, snapshot {_snapshotIndex})", nameof(entries));
            }

            if (first.Index > _lastIndex + 1)
            {
                throw new ArgumentException($"wal: entry {first.Index} would leave a gap after the last index {_lastIndex}", nameof(entries));
            }

            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i] ?? throw new ArgumentException($"wal: entry {i} of the append is null", nameof(entries));
                if (entry.Index != first.Index + (ulong)i)
                {
                    throw new ArgumentException($"wal: entries are not contiguous: entry {i} has index {entry.Index}, expected {first.Index + (ulong)i}", nameof(entries));
                }

                if (entry.Term == 0 || (i > 0 && entry.Term < entries[i - 1].Term))
                {
                    throw new ArgumentException($"wal: entry {entry.Index} has term {entry.Term}: terms start at 1 and never decrease along the log", nameof(entries));
                }

                bytes += WalRecordFormat.RecordSize(WalEncoder.PayloadSize(entry));
            }

            lastAfter = entries[^1].Index;
        }

        if (snapshot is not null)
        {
            if (snapshot.Index == 0 || snapshot.Index < _snapshotIndex)
            {
                throw new ArgumentException($"wal: snapshot marker index {snapshot.Index} must be above 0 and not below the last marker's {_snapshotIndex}", nameof(snapshot));
            }

            lastAfter = Math.Max(lastAfter, snapshot.Index);
            bytes += WalRecordFormat.RecordSize(WalEncoder.PayloadSize(snapshot));
        }

        if (hardState is not null)
        {
            if (hardState.Term < _hardTerm)
            {
                throw new ArgumentException($"wal: hard state term {hardState.Term} is below the saved term {_hardTerm}", nameof(hardState));
            }

            if (hardState.Commit < _hardCommit)
            {
                throw new ArgumentException($"wal: hard state commit {hardState.Commit} is below the saved commit {_hardCommit}", nameof(hardState));
            }

            if (hardState.Commit > lastAfter)
            {
                throw new ArgumentException($"wal: hard state commit {hardState.Commit} is beyond the last index {lastAfter}", nameof(hardState));
            }

            bytes += WalRecordFormat.RecordSize(WalEncoder.PayloadSize(hardState));
        }

        return bytes;
    }

    /// <summary>Encodes one record at the writer's position, cutting to a new segment first when it would not fit.</summary>
    private void Encode(WalRecordType type, IMessage message)
    {
        var size = WalEncoder.PayloadSize(message);
        if (_segmentHasBody && _encoder.Offset + WalRecordFormat.RecordSize(size) > _options.SegmentBytes)
        {
            Cut();
        }

        _encoder.Append(_filling, type, message, size);
        _segmentHasBody |= type is WalRecordType.Entry or WalRecordType.Snapshot;
    }

    /// <summary>Begins the next segment in the filling batch: header, metadata, and the current hard state.</summary>
    private void Cut()
    {
        _encoder.BeginSegment(_filling, _encoder.Seq + 1, _lastIndex + 1, Metadata);
        if ((_hardTerm | _hardVote | _hardCommit) != 0)
        {
            var hardState = new HardState { Term = _hardTerm, Vote = _hardVote, Commit = _hardCommit };
            _encoder.Append(_filling, WalRecordType.HardState, hardState, WalEncoder.PayloadSize(hardState));
        }

        _segmentHasBody = false;
    }
}

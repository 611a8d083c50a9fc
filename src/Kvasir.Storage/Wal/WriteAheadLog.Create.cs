using Kvasir.Raft;
using Kvasir.Storage.IO;

namespace Kvasir.Storage.Wal;

/// <summary>Creating the WAL of a new member, or of one restored from a snapshot.</summary>
public sealed partial class WriteAheadLog
{
    /// <summary>Creates a WAL in <paramref name="directory"/> (created if missing); see <see cref="Create(IStorageDevice, WalMetadata, WalOptions?)"/>.</summary>
    public static WriteAheadLog Create(string directory, WalMetadata metadata, WalOptions? options = null)
    {
        var device = new FileStorageDevice(directory, create: true);
        try
        {
            return CreateCore(device, true, metadata, new SnapshotMetadata(), null, options);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Creates the WAL of a new member on <paramref name="device"/>, which must hold none: its first
    /// segment holds the metadata and an empty snapshot marker (index 0, term 0), so it opens at
    /// <see cref="WalSnapshot.None"/>. The segment gets its name only once durable, so a crash
    /// during creation leaves no WAL rather than half of one. Returns it open for append.
    /// </summary>
    public static WriteAheadLog Create(IStorageDevice device, WalMetadata metadata, WalOptions? options = null) =>
        CreateCore(device, false, metadata, new SnapshotMetadata(), null, options);

    /// <summary>
    /// Creates the WAL of a member restored from a snapshot (snapshot restore): the first segment holds
    /// the metadata, the marker of <paramref name="snapshot"/> and <paramref name="hardState"/>, so it
    /// opens at that snapshot and the next entry is <c>snapshot.Index + 1</c>. The hard state's commit
    /// must not exceed the snapshot index, nor its term fall below the snapshot's.
    /// </summary>
    public static WriteAheadLog CreateFromSnapshot(IStorageDevice device, WalMetadata metadata, SnapshotMetadata snapshot, HardState hardState, WalOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(hardState);
        if (snapshot.Index == 0 || snapshot.Term == 0)
        {
            throw new ArgumentException($"wal: a restored snapshot needs an index and a term above 0 (got index {snapshot.Index} term {snapshot.Term})", nameof(snapshot));
        }

        if (hardState.Commit > snapshot.Index || hardState.Term < snapshot.Term)
        {
            throw new ArgumentException($"wal: hard state (term {hardState.Term}, commit {hardState.Commit}) does not fit the snapshot (index {snapshot.Index}, term {snapshot.Term})", nameof(hardState));
        }

        return CreateCore(device, false, metadata, snapshot, hardState, options);
    }

    private static WriteAheadLog CreateCore(IStorageDevice device, bool ownsDevice, WalMetadata metadata, SnapshotMetadata snapshot, HardState? hardState, WalOptions? options)
    {
        ArgumentNullException.ThrowIfNull(device);
        options ??= new WalOptions();
        options.Validate();
        var directoryLock = device.Lock(LockFileName);
        IStorageFile? file = null;
        var batch = new WalBatch();
        try
        {
            if (Exists(device))
            {
                throw new WalException($"wal: {device.Location} already holds a WAL; open it instead");
            }

            DeleteTemporaryFiles(device);
            var name = new WalSegmentName(0, snapshot.Index);
            var encoder = new WalEncoder(0, 0, 0);
            encoder.BeginSegment(batch, 0, name.Index, metadata);
            encoder.Append(batch, WalRecordType.Snapshot, snapshot, WalEncoder.PayloadSize(snapshot));
            var withHardState = hardState is not null && (hardState.Term | hardState.Vote | hardState.Commit) != 0;
            if (withHardState)
            {
                encoder.Append(batch, WalRecordType.HardState, hardState!, WalEncoder.PayloadSize(hardState!));
            }

            var temporary = name.FileName + WalSegmentPreparer.TempExtension;
            device.Delete(temporary);
            file = device.Open(temporary, StorageFileMode.CreateNew);
            file.Allocate(options.SegmentBytes);
            file.Write(0, batch.Buffer.AsSpan(0, batch.Length));
            file.Sync();
            device.Rename(temporary, name.FileName);
            device.SyncDirectory();

            var at = new WalSnapshot(snapshot.Index, snapshot.Term);
            var recovered = new WalReadResult(metadata, withHardState ? hardState!.Clone() : new HardState(), [], at, [snapshot.Clone()], null, snapshot.Index);
            return new WriteAheadLog(device, ownsDevice, directoryLock, options, metadata, recovered, [name], file, encoder.Offset, encoder.LastCrc, hasBody: false, snapshot.Index);
        }
        catch
        {
            file?.Dispose();
            directoryLock.Dispose();
            throw;
        }
        finally
        {
            batch.Release();
        }
    }
}

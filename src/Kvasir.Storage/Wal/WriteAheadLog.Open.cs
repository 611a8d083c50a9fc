using Kvasir.Raft;
using Kvasir.Storage.IO;

namespace Kvasir.Storage.Wal;

/// <summary>Opening an existing WAL for append, and reading one without writing.</summary>
public sealed partial class WriteAheadLog
{
    /// <summary>Opens the WAL in <paramref name="directory"/>; see <see cref="Open(IStorageDevice, WalSnapshot, WalOptions?)"/>.</summary>
    public static WriteAheadLog Open(string directory, WalSnapshot at, WalOptions? options = null)
    {
        var device = new FileStorageDevice(directory, create: false);
        try
        {
            return Open(device, at, options, ownsDevice: true);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the WAL on <paramref name="device"/> for append at the snapshot <paramref name="at"/>
    /// (from the newest usable .snap file; <see cref="WalSnapshot.None"/> without one). Verifies every
    /// record from the segment holding the snapshot to the end; the log is in <see cref="Recovered"/>.
    /// A torn tail of the last segment is cut off (and reported in
    /// <see cref="WalReadResult.TornTail"/>); damage anywhere else throws
    /// <see cref="WalCorruptException"/>, an unknown format <see cref="WalVersionException"/>, a
    /// missing or disagreeing snapshot marker or no WAL at all <see cref="WalException"/>, and nothing
    /// is changed. Takes the directory's lock: a second open throws <see cref="IOException"/>.
    /// </summary>
    public static WriteAheadLog Open(IStorageDevice device, WalSnapshot at, WalOptions? options = null) => Open(device, at, options, ownsDevice: false);

    /// <summary>
    /// Reads the WAL on <paramref name="device"/> from the snapshot <paramref name="at"/>, verifying
    /// every record, without writing, repairing or locking anything (diagnostics, tools). Throws as
    /// <see cref="Open(IStorageDevice, WalSnapshot, WalOptions?)"/>; a torn tail is reported, not cut.
    /// </summary>
    public static WalReadResult Read(IStorageDevice device, WalSnapshot at)
    {
        ArgumentNullException.ThrowIfNull(device);
        return WalReader.Read(device, at).Log;
    }

    /// <summary>
    /// The snapshot markers a member may start from, oldest first: every marker in the WAL at or
    /// below the last HardState's commit (a marker above it names a snapshot Raft never committed).
    /// Pass them to <see cref="Snap.Snapshotter.LoadNewestAvailable"/> to pick the snapshot to open at.
    /// Read-only.
    /// </summary>
    public static IReadOnlyList<SnapshotMetadata> ReadSnapshotMarkers(IStorageDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return WalReader.ValidMarkers(WalReader.Read(device, WalSnapshot.None, markersOnly: true).Log);
    }

    /// <summary>Whether <paramref name="device"/> holds any WAL segment.</summary>
    public static bool Exists(IStorageDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        foreach (var file in device.ListFiles())
        {
            if (WalSegmentName.TryParse(file, out _))
            {
                return true;
            }
        }

        return false;
    }

    private static WriteAheadLog Open(IStorageDevice device, WalSnapshot at, WalOptions? options, bool ownsDevice)
    {
        ArgumentNullException.ThrowIfNull(device);
        options ??= new WalOptions();
        options.Validate();
        var directoryLock = device.Lock(LockFileName);
        IStorageFile? file = null;
        try
        {
            DeleteTemporaryFiles(device);
            var state = WalReader.Read(device, at);
            var last = state.Segments[^1];
            file = device.Open(last.FileName, StorageFileMode.OpenExisting);
            var repaired = false;
            if (state.Log.TornTail is not null)
            {
                // Everything from the torn record on was never synced: drop it, so that stale
                // bytes can never follow what is written next.
                file.Truncate(state.EndOffset);
                repaired = true;
            }

            if (file.Length < options.SegmentBytes)
            {
                file.Allocate(options.SegmentBytes);
                repaired = true;
            }

            if (repaired)
            {
                file.Sync();
            }

            return new WriteAheadLog(device, ownsDevice, directoryLock, options, state.Log.Metadata, state.Log, state.Segments, file, state.EndOffset, state.LastCrc, state.LastHasBody, state.LastSnapshotIndex);
        }
        catch
        {
            file?.Dispose();
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>Deletes what an interrupted cut or create left behind: files never renamed to a segment name, never part of the log.</summary>
    private static void DeleteTemporaryFiles(IStorageDevice device)
    {
        var deleted = false;
        foreach (var file in device.ListFiles())
        {
            if (file.EndsWith(WalSegmentName.Extension + WalSegmentPreparer.TempExtension, StringComparison.Ordinal)
                || (file.StartsWith(WalSegmentPreparer.TempPrefix, StringComparison.Ordinal) && file.EndsWith(WalSegmentPreparer.TempExtension, StringComparison.Ordinal)))
            {
                device.Delete(file);
                deleted = true;
            }
        }

        if (deleted)
        {
            device.SyncDirectory();
        }
    }
}

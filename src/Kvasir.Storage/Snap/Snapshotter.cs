using Kvasir.Raft;
using Kvasir.Storage.IO;

namespace Kvasir.Storage.Snap;

/// <summary>
/// The member's Raft snapshot files (<c>term-index.snap</c>): Raft's snapshot metadata (index, term,
/// conf state) plus a small payload from the member, with a CRC. The snapshot's data proper is the
/// MVCC backend image, kept by the backend. Order at a snapshot: <see cref="Save"/> the file, then
/// record the WAL marker (<see cref="Wal.WriteAheadLog.SaveSnapshotAsync"/>), then release the WAL and
/// <see cref="Purge"/>. Thread-safe for one writer and many readers.
/// </summary>
public sealed class Snapshotter
{
    private const string TempExtension = ".tmp";

    private readonly IStorageDevice _device;

    public Snapshotter(IStorageDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
    }

    /// <summary>Uses the snapshot directory <paramref name="directory"/>, created if missing.</summary>
    public Snapshotter(string directory)
        : this(new FileStorageDevice(directory, create: true))
    {
    }

    public string Location => _device.Location;

    /// <summary>
    /// Writes the snapshot file for <paramref name="metadata"/> durably: to a temporary name, synced,
    /// renamed, directory synced, so a crash leaves the whole file or none. Returns its name.
    /// </summary>
    public string Save(SnapshotMetadata metadata, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Index == 0 || metadata.Term == 0)
        {
            throw new ArgumentException($"snap: a snapshot needs an index and a term above 0 (got index {metadata.Index} term {metadata.Term})", nameof(metadata));
        }

        var bytes = SnapFile.Encode(metadata, payload);
        var name = new SnapName(metadata.Term, metadata.Index).FileName;
        var temporary = name + TempExtension;
        _device.Delete(temporary);
        using (var file = _device.Open(temporary, StorageFileMode.CreateNew))
        {
            file.Write(0, bytes);
            file.Sync();
        }

        _device.Rename(temporary, name);
        _device.SyncDirectory();
        return name;
    }

    /// <summary>The snapshot files, newest first (by index, then term).</summary>
    public IReadOnlyList<string> SnapshotFiles()
    {
        var names = Names();
        var files = new List<string>(names.Count);
        foreach (var name in names)
        {
            files.Add(name.FileName);
        }

        return files;
    }

    /// <summary>Loads the newest snapshot file that verifies; damaged newer ones are skipped and reported.</summary>
    public SnapLoadResult LoadNewest() => Load(null);

    /// <summary>
    /// Loads the newest snapshot that verifies and that the WAL holds a marker for (same index and
    /// term; see <see cref="Wal.WriteAheadLog.ReadSnapshotMarkers"/>): a file saved just before a crash that kept
    /// its marker from the WAL is passed over, as are damaged files; both are reported.
    /// </summary>
    public SnapLoadResult LoadNewestAvailable(IReadOnlyList<SnapshotMetadata> walMarkers)
    {
        ArgumentNullException.ThrowIfNull(walMarkers);
        var known = new HashSet<(ulong, ulong)>();
        foreach (var marker in walMarkers)
        {
            known.Add((marker.Index, marker.Term));
        }

        return Load(known);
    }

    /// <summary>Reads and verifies one snapshot file; throws <see cref="SnapCorruptException"/>.</summary>
    public RaftSnapshot Read(string fileName)
    {
        var path = _device.PathOf(fileName);
        if (!SnapName.TryParse(fileName, out var name))
        {
            throw new SnapCorruptException(path, "not a snapshot file name (term-index.snap)");
        }

        byte[] bytes;
        using (var file = _device.Open(fileName, StorageFileMode.ReadOnly))
        {
            var length = file.Length;
            if (length > Array.MaxLength)
            {
                throw new SnapCorruptException(path, $"{length} bytes, more than a snapshot file holds");
            }

            bytes = new byte[length];
            bytes = bytes[..file.Read(0, bytes)];
        }

        var (metadata, payload) = SnapFile.Decode(bytes, path);
        if (metadata.Index != name.Index || metadata.Term != name.Term)
        {
            throw new SnapCorruptException(path, $"it holds index {metadata.Index} term {metadata.Term}, its name says index {name.Index} term {name.Term}");
        }

        return new RaftSnapshot(metadata, payload, path);
    }

    /// <summary>
    /// Deletes all but the newest <paramref name="maxSnapshots"/> snapshot files (etcd's
    /// --max-snapshots, default 5; 0 keeps all) and leftover temporary files. Returns what it deleted.
    /// </summary>
    public IReadOnlyList<string> Purge(int maxSnapshots = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSnapshots);
        var deleted = new List<string>();
        foreach (var file in _device.ListFiles())
        {
            if (file.EndsWith(SnapName.Extension + TempExtension, StringComparison.Ordinal))
            {
                _device.Delete(file);
                deleted.Add(file);
            }
        }

        if (maxSnapshots > 0)
        {
            var names = Names();
            for (var i = maxSnapshots; i < names.Count; i++)
            {
                _device.Delete(names[i].FileName);
                deleted.Add(names[i].FileName);
            }
        }

        if (deleted.Count > 0)
        {
            _device.SyncDirectory();
        }

        return deleted;
    }

    private SnapLoadResult Load(HashSet<(ulong, ulong)>? known)
    {
        var skipped = new List<SnapSkipped>();
        foreach (var name in Names())
        {
            var path = _device.PathOf(name.FileName);
            if (known is not null && !known.Contains((name.Index, name.Term)))
            {
                skipped.Add(new SnapSkipped(path, "the WAL holds no marker for it (saved just before a crash, or the WAL was released past it)"));
                continue;
            }

            try
            {
                return new SnapLoadResult(Read(name.FileName), skipped);
            }
            catch (SnapCorruptException e)
            {
                skipped.Add(new SnapSkipped(path, e.Reason));
            }
        }

        return new SnapLoadResult(null, skipped);
    }

    /// <summary>Snapshot file names, newest first.</summary>
    private List<SnapName> Names()
    {
        var names = new List<SnapName>();
        foreach (var file in _device.ListFiles())
        {
            if (SnapName.TryParse(file, out var name))
            {
                names.Add(name);
            }
        }

        names.Sort(static (a, b) => b.CompareTo(a));
        return names;
    }
}

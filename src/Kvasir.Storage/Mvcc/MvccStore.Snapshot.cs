using Kvasir.Storage.Backend;

namespace Kvasir.Storage.Mvcc;

/// <summary>Backend images (for Raft snapshots and etcdctl's snapshot save), restore from them, defrag.</summary>
public sealed partial class MvccStore
{
    /// <summary>
    /// Streams a consistent image of the whole backend to <paramref name="destination"/> while writes
    /// continue: everything applied when the call starts, with its consistent index, as a compact SQLite
    /// database file that <see cref="RestoreAsync"/> installs. Returns the bytes written.
    /// </summary>
    public async Task<long> WriteSnapshotAsync(Stream destination, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Commit();
        var temp = $"{_backend.Path}.snapshot-{Guid.NewGuid():N}.tmp";
        EnterRead();
        try
        {
            await Task.Run(() => _backend.CopyTo(temp), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ExitRead();
        }

        try
        {
            await using var image = new FileStream(temp, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await image.CopyToAsync(destination, 1 << 16, cancellationToken).ConfigureAwait(false);
            return image.Length;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// Installs a backend image (from <see cref="WriteSnapshotAsync"/>) at <paramref name="path"/>, whose
    /// store must be closed. The image is written beside it, synced and checked (a Kvasir backend of this
    /// schema version, intact) before it atomically replaces the old file; a bad image changes nothing.
    /// Open the store afterwards: its consistent index is the image's.
    /// </summary>
    public static async Task RestoreAsync(Stream image, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        var temp = full + ".restore.tmp";
        try
        {
            await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await image.CopyToAsync(file, 1 << 16, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }

            CheckImage(temp);
            if (File.Exists(full))
            {
                // Fold the old file's SQLite WAL into it first: a leftover WAL beside the new file would be
                // replayed into it. A crash from here on leaves the old store whole.
                using var old = SqliteDb.Open(full, create: false);
                old.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
            }

            File.Move(temp, full, overwrite: true);
            File.Delete(full + "-wal");
            File.Delete(full + "-shm");
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>
    /// Reclaims the space compaction freed (etcd's defrag): rebuilds the backend. Writes wait for it;
    /// reads go on. Returns the database size before and after.
    /// </summary>
    public (long Before, long After) Defragment()
    {
        lock (_backend.WriteLock)
        {
            ThrowIfUnusable();
            CommitLocked(durable: false);
        }

        var before = _backend.Size;
        _backend.Defragment();
        return (before, _backend.Size);
    }

    private static void CheckImage(string path)
    {
        var length = new FileInfo(path).Length;
        if (length == 0)
        {
            throw new BackendException("the snapshot image is empty");
        }

        SqliteDb db;
        try
        {
            db = SqliteDb.Open(path, create: false);
        }
        catch (BackendException e)
        {
            throw new BackendException($"the snapshot image is not a database: {e.Message}", e);
        }

        using (db)
        {
            try
            {
                if (db.QueryInt64("PRAGMA application_id") != BackendSchema.ApplicationId)
                {
                    throw new BackendException("the snapshot image is not a Kvasir MVCC backend");
                }

                var version = db.QueryInt64("PRAGMA user_version");
                if (version != BackendSchema.Version)
                {
                    throw new BackendException($"the snapshot image has MVCC backend schema version {version}; this Kvasir reads version {BackendSchema.Version} only");
                }

                var check = db.Prepare("PRAGMA quick_check");
                try
                {
                    var result = check.Step() ? check.ColumnText(0) : null;
                    if (result != "ok")
                    {
                        throw new BackendException($"the snapshot image is damaged: {result}");
                    }
                }
                finally
                {
                    check.Reset();
                }
            }
            catch (BackendException e) when (!e.Message.StartsWith("the snapshot image", StringComparison.Ordinal))
            {
                throw new BackendException($"the snapshot image is not a database: {e.Message}", e);
            }
        }
    }
}

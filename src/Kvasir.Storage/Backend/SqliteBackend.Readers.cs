namespace Kvasir.Storage.Backend;

/// <summary>The pool of reader connections: bounded, created on demand, safe from any thread.</summary>
internal sealed partial class SqliteBackend
{
    private readonly Stack<BackendReader> _idleReaders = new();
    private readonly Lock _idleLock = new();
    private readonly SemaphoreSlim _readerSlots;

    /// <summary>
    /// Rents a reader connection, waiting when all <see cref="BackendOptions.MaxReaders"/> are in use.
    /// Dispose the reader to give it back.
    /// </summary>
    public BackendReader RentReader()
    {
        ThrowIfDisposed();
        _readerSlots.Wait();
        try
        {
            lock (_idleLock)
            {
                if (_idleReaders.TryPop(out var reader))
                {
                    return reader;
                }
            }

            var db = SqliteDb.Open(Path, create: false);
            try
            {
                db.Exec($"PRAGMA cache_size=-{_options.ReaderCacheKiB}");
                db.Exec($"PRAGMA mmap_size={_options.ReaderMmapBytes}");
                db.Exec("PRAGMA query_only=1");
            }
            catch
            {
                db.Dispose();
                throw;
            }

            return new BackendReader(this, db);
        }
        catch
        {
            _readerSlots.Release();
            throw;
        }
    }

    internal void ReturnReader(BackendReader reader)
    {
        if (_disposed)
        {
            reader.Db.Dispose();
            return;
        }

        lock (_idleLock)
        {
            _idleReaders.Push(reader);
        }

        _readerSlots.Release();
    }

    private void DisposeReaders()
    {
        lock (_idleLock)
        {
            while (_idleReaders.TryPop(out var reader))
            {
                reader.Db.Dispose();
            }
        }
    }
}

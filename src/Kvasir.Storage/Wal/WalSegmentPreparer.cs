using Kvasir.Storage.IO;

namespace Kvasir.Storage.Wal;

/// <summary>
/// Prepares the next segment file ahead of need: created under a temporary name, preallocated to
/// the segment size and synced, on a pool thread. The flusher takes it when it cuts; the file gets
/// its real name only after its first records are durable. At most one file is prepared or being
/// prepared at a time. Leftover temporary files are deleted when the WAL opens.
/// </summary>
internal sealed class WalSegmentPreparer : IDisposable
{
    public const string TempPrefix = "segment-";
    public const string TempExtension = ".tmp";

    private readonly IStorageDevice _device;
    private readonly long _segmentBytes;
    private readonly bool _background;
    private readonly ManualResetEventSlim _idle = new(true);
    private readonly Lock _gate = new();
    private PreparedSegment? _prepared;
    private Exception? _error;
    private int _counter;
    private bool _disposed;

    public WalSegmentPreparer(IStorageDevice device, long segmentBytes, bool background)
    {
        _device = device;
        _segmentBytes = segmentBytes;
        _background = background;
    }

    /// <summary>Starts preparing a file in the background unless one is prepared or on its way.</summary>
    public void PrepareNext()
    {
        if (!_background)
        {
            return;
        }

        lock (_gate)
        {
            if (_disposed || _prepared is not null || !_idle.IsSet)
            {
                return;
            }

            _idle.Reset();
        }

        ThreadPool.UnsafeQueueUserWorkItem(static p => p.PrepareInBackground(), this, preferLocal: false);
    }

    /// <summary>The prepared file (waiting for the one on its way, or preparing one now). Throws what preparing threw.</summary>
    public PreparedSegment Take()
    {
        _idle.Wait();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_error is { } error)
            {
                _error = null;
                throw new IOException($"wal: preparing the next segment failed: {error.Message}", error);
            }

            if (_prepared is { } prepared)
            {
                _prepared = null;
                return prepared;
            }
        }

        try
        {
            return Prepare();
        }
        catch (IOException e)
        {
            throw new IOException($"wal: preparing the next segment failed: {e.Message}", e);
        }
    }

    /// <summary>Deletes the prepared file; one still being prepared deletes itself when done. Does not block.</summary>
    public void Dispose()
    {
        PreparedSegment? prepared;
        lock (_gate)
        {
            _disposed = true;
            prepared = _prepared;
            _prepared = null;
        }

        Discard(prepared);
    }

    private void PrepareInBackground()
    {
        PreparedSegment? prepared = null;
        Exception? error = null;
        try
        {
            prepared = Prepare();
        }
        catch (Exception e)
        {
            error = e;
        }

        var discard = false;
        lock (_gate)
        {
            if (_disposed)
            {
                discard = true;
            }
            else
            {
                _prepared = prepared;
                _error = error;
            }
        }

        if (discard)
        {
            Discard(prepared);
        }

        _idle.Set();
    }

    private void Discard(PreparedSegment? prepared)
    {
        if (prepared is not { } p)
        {
            return;
        }

        p.File.Dispose();
        try
        {
            _device.Delete(p.Name);
        }
        catch (IOException)
        {
            // Left behind; the next open deletes temporary files.
        }
    }

    private PreparedSegment Prepare()
    {
        var name = $"{TempPrefix}{Interlocked.Increment(ref _counter)}{TempExtension}";
        _device.Delete(name);
        var file = _device.Open(name, StorageFileMode.CreateNew);
        try
        {
            file.Allocate(_segmentBytes);
            file.Sync();
            return new PreparedSegment(name, file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}

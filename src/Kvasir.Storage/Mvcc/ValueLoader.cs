using Kvasir.Api.Mvccpb;
using Kvasir.Storage.Backend;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// Loads the stored KeyValue of a revision for one read: from the read state's buffer when the row is not
/// committed yet, else from the backend: through the writer connection for the applier (it holds the
/// write lock), through a rented reader connection otherwise, rented on first need and returned on dispose.
/// </summary>
internal struct ValueLoader : IDisposable
{
    private readonly SqliteBackend _backend;
    private readonly WriteBuffer _buffer;
    private readonly bool _applier;
    private BackendReader? _reader;
    private bool _snapshot;

    public ValueLoader(SqliteBackend backend, WriteBuffer buffer, bool applier)
    {
        _backend = backend;
        _buffer = buffer;
        _applier = applier;
    }

    /// <summary>
    /// Pins one backend snapshot for the loads that follow (many loads in one read transaction are cheaper
    /// than one each). Has no effect for the applier, whose connection sees every write.
    /// </summary>
    public void PinSnapshot()
    {
        if (!_applier && !_snapshot)
        {
            _reader ??= _backend.RentReader();
            _reader.BeginSnapshot();
            _snapshot = true;
        }
    }

    /// <summary>A fresh KeyValue of <paramref name="rev"/> (safe to hand to callers), or null when the row is gone.</summary>
    public KeyValue? Load(Revision rev)
    {
        if (_buffer.TryGet(rev, out var kv))
        {
            return kv.Clone();
        }

        Span<byte> key = stackalloc byte[Revision.TombstoneKeyLength];
        var n = rev.WriteKey(key);
        if (_applier)
        {
            if (!_backend.TryGetKv(key[..n], out var applierValue))
            {
                return null;
            }

            var parsed = KeyValue.Parser.ParseFrom(applierValue);
            _backend.EndGetKv();
            return parsed;
        }

        _reader ??= _backend.RentReader();
        return _reader.TryGetKv(key[..n], out var value) ? KeyValue.Parser.ParseFrom(value) : null;
    }

    public void Dispose()
    {
        _reader?.Dispose();
        _reader = null;
    }
}

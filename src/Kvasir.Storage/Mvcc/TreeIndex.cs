namespace Kvasir.Storage.Mvcc;

/// <summary>
/// The in-memory index of every key's history (etcd's treeIndex), safe for one writer and many readers.
/// <para>
/// Threading: readers hold the read lock for at most <see cref="ChunkSize"/> keys at a time, so a long
/// range never blocks the applier for long. A chunked scan still answers as of one revision: history at or
/// below a revision already published never changes except by compaction, and callers re-check the
/// compacted revision after a scan. Writers (the applier, the compactor) take the write lock per change.
/// </para>
/// </summary>
internal sealed partial class TreeIndex : IDisposable
{
    internal const int ChunkSize = 1024;

    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly KeyIndexTree _tree = new();

    /// <summary>Key indexes in the tree (live keys and deleted keys whose history compaction has not dropped yet).</summary>
    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _tree.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>The key as of <paramref name="atRev"/>: its value's revision, creation revision and version.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, long atRev, out Revision modified, out long created, out long version)
    {
        _lock.EnterReadLock();
        try
        {
            var ki = _tree.Get(key);
            if (ki is not null)
            {
                return ki.TryGet(atRev, out modified, out created, out version);
            }
        }
        finally
        {
            _lock.ExitReadLock();
        }

        modified = default;
        created = 0;
        version = 0;
        return false;
    }

    /// <summary>
    /// Adds to <paramref name="revs"/> (and the keys to <paramref name="keys"/> when given) the value
    /// revision of every key in <paramref name="range"/> that exists at <paramref name="atRev"/>, in key order.
    /// </summary>
    public void Revisions(in KeyRange range, long atRev, List<Revision> revs, List<byte[]>? keys)
    {
        if (range.IsSingleKey)
        {
            if (TryGet(range.Key.Span, atRev, out var rev, out _, out _))
            {
                revs.Add(rev);
                keys?.Add(range.Key.ToByteArray());
            }

            return;
        }

        byte[]? resume = null;
        do
        {
            _lock.EnterReadLock();
            try
            {
                resume = ScanChunk(range, atRev, resume, revs, keys);
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
        while (resume is not null);
    }

    /// <summary>Every live key that has a lease, with its lease (what the lessor needs on start).</summary>
    public List<KeyValuePair<byte[], long>> KeyLeases()
    {
        var visitor = new KeyLeaseVisitor();
        WalkInChunks(exclusive: false, ref visitor);
        return visitor.Found;
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>Scans up to <see cref="ChunkSize"/> keys; returns the last key visited when more remain, else null.</summary>
    private byte[]? ScanChunk(in KeyRange range, long atRev, byte[]? resume, List<Revision> revs, List<byte[]>? keys)
    {
        var (leaf, i) = resume is null ? _tree.Seek(range.Key.Span, exclusive: false) : _tree.Seek(resume, exclusive: true);
        var end = range.End.Span;
        var n = 0;
        for (; leaf is not null; leaf = leaf.Next, i = 0)
        {
            for (; i < leaf.Count; i++)
            {
                var ki = leaf.Items[i]!;
                if (!range.IsUnbounded && ki.Key.AsSpan().SequenceCompareTo(end) >= 0)
                {
                    return null;
                }

                if (ki.TryGet(atRev, out var rev, out _, out _))
                {
                    revs.Add(rev);
                    keys?.Add(ki.Key);
                }

                if (++n == ChunkSize)
                {
                    return ki.Key;
                }
            }
        }

        return null;
    }
}

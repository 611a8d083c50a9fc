namespace Kvasir.Storage.Mvcc;

/// <summary>Walks of the whole index, a chunk of keys per lock hold.</summary>
internal sealed partial class TreeIndex
{
    /// <summary>What a whole-index walk does with each key index, and between chunks.</summary>
    private interface IKeyIndexVisitor
    {
        /// <summary>Called under the walk's lock for each key index, in key order.</summary>
        void Visit(KeyIndex ki);

        /// <summary>Called under the walk's lock after a chunk's keys were visited, before the lock is released;
        /// the tree may be reshaped here and only here.</summary>
        void EndOfChunk(KeyIndexTree tree);
    }

    /// <summary>
    /// Visits every key index in key order, holding the write lock (<paramref name="exclusive"/>) or the read
    /// lock for at most <see cref="ChunkSize"/> keys at a time, and resuming after the last key visited.
    /// A struct visitor keeps the walk free of closures and boxing.
    /// </summary>
    private void WalkInChunks<TVisitor>(bool exclusive, ref TVisitor visitor)
        where TVisitor : struct, IKeyIndexVisitor
    {
        byte[]? resume = null;
        var first = true;
        while (first || resume is not null)
        {
            first = false;
            if (exclusive)
            {
                _lock.EnterWriteLock();
            }
            else
            {
                _lock.EnterReadLock();
            }

            try
            {
                resume = VisitChunk(resume, ref visitor);
                visitor.EndOfChunk(_tree);
            }
            finally
            {
                if (exclusive)
                {
                    _lock.ExitWriteLock();
                }
                else
                {
                    _lock.ExitReadLock();
                }
            }
        }
    }

    /// <summary>Visits up to <see cref="ChunkSize"/> key indexes after <paramref name="resume"/>; returns the last
    /// key visited when more remain, else null.</summary>
    private byte[]? VisitChunk<TVisitor>(byte[]? resume, ref TVisitor visitor)
        where TVisitor : struct, IKeyIndexVisitor
    {
        var (leaf, i) = resume is null ? _tree.First() : _tree.Seek(resume, exclusive: true);
        var n = 0;
        for (; leaf is not null; leaf = leaf.Next, i = 0)
        {
            for (; i < leaf.Count; i++)
            {
                var ki = leaf.Items[i]!;
                visitor.Visit(ki);
                if (++n == ChunkSize)
                {
                    return ki.Key;
                }
            }
        }

        return null;
    }

    /// <summary>Compaction: keeps the revisions that must survive and drops key indexes left empty.</summary>
    private struct CompactVisitor(long atRev) : IKeyIndexVisitor
    {
        public List<Revision> Kept { get; } = [];

        private readonly List<byte[]> _empty = [];

        public readonly void Visit(KeyIndex ki)
        {
            if (ki.Compact(atRev, out var rev))
            {
                Kept.Add(rev);
            }

            if (ki.IsEmpty)
            {
                _empty.Add(ki.Key);
            }
        }

        // Removal reshapes leaves, so it waits until the chunk's walk is over.
        public readonly void EndOfChunk(KeyIndexTree tree)
        {
            foreach (var key in _empty)
            {
                tree.Remove(key);
            }

            _empty.Clear();
        }
    }

    /// <summary>The revisions a compaction would keep, changing nothing.</summary>
    private struct KeepVisitor(long atRev) : IKeyIndexVisitor
    {
        public List<Revision> Kept { get; } = [];

        public readonly void Visit(KeyIndex ki)
        {
            if (ki.Keep(atRev, out var rev))
            {
                Kept.Add(rev);
            }
        }

        public readonly void EndOfChunk(KeyIndexTree tree)
        {
        }
    }

    /// <summary>Every live key with a lease.</summary>
    private struct KeyLeaseVisitor() : IKeyIndexVisitor
    {
        public List<KeyValuePair<byte[], long>> Found { get; } = [];

        public readonly void Visit(KeyIndex ki)
        {
            if (ki.IsLive && ki.Lease != 0)
            {
                Found.Add(new KeyValuePair<byte[], long>(ki.Key, ki.Lease));
            }
        }

        public readonly void EndOfChunk(KeyIndexTree tree)
        {
        }
    }
}

namespace Kvasir.Storage.Mvcc;

/// <summary>Changes to the index: the applier's puts and deletes, compaction, and the rebuild on open.</summary>
internal sealed partial class TreeIndex
{
    /// <summary>
    /// Records a put of <paramref name="key"/> at <paramref name="rev"/> with <paramref name="lease"/>.
    /// Reports the key's state as of <paramref name="rev"/>.Main before the put (so a change earlier in the
    /// same transaction counts): whether it existed, its creation revision, version and lease.
    /// </summary>
    public void Put(ReadOnlySpan<byte> key, Revision rev, long lease, out bool existed, out long created, out long version, out long oldLease)
    {
        _lock.EnterWriteLock();
        try
        {
            var ki = _tree.Get(key);
            if (ki is null)
            {
                ki = new KeyIndex(key.ToArray());
                _tree.Insert(ki);
            }

            existed = ki.TryGet(rev.Main, out _, out created, out version);
            oldLease = existed ? ki.Lease : 0;
            ki.Put(rev);
            ki.Lease = lease;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Records a delete of a live key at <paramref name="rev"/>; reports the lease it had. False when the key is not live.</summary>
    public bool Tombstone(ReadOnlySpan<byte> key, Revision rev, out long oldLease)
    {
        _lock.EnterWriteLock();
        try
        {
            var ki = _tree.Get(key);
            oldLease = ki?.Lease ?? 0;
            return ki is not null && ki.Tombstone(rev);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>
    /// Compacts every key's history at <paramref name="atRev"/> (a chunk of keys per write lock) and drops
    /// keys left empty. Returns the revisions whose backend rows must survive, sorted.
    /// </summary>
    public List<Revision> Compact(long atRev)
    {
        var visitor = new CompactVisitor(atRev);
        WalkInChunks(exclusive: true, ref visitor);
        visitor.Kept.Sort();
        return visitor.Kept;
    }

    /// <summary>The revisions a compaction at <paramref name="atRev"/> would keep, sorted (for HashKV).</summary>
    public List<Revision> Keep(long atRev)
    {
        var visitor = new KeepVisitor(atRev);
        WalkInChunks(exclusive: false, ref visitor);
        visitor.Kept.Sort();
        return visitor.Kept;
    }

    /// <summary>
    /// Replays one backend row into the index while the store opens (single-threaded, before any reader):
    /// rows arrive in revision order. A tombstone of a key the index does not know is skipped, as etcd does.
    /// </summary>
    public void RestoreRow(ReadOnlySpan<byte> key, Revision rev, bool tombstone, long created, long version, long lease)
    {
        var ki = _tree.Get(key);
        if (ki is not null)
        {
            if (tombstone)
            {
                ki.Tombstone(rev);
            }
            else
            {
                ki.Put(rev);
                ki.Lease = lease;
            }

            return;
        }

        if (!tombstone)
        {
            ki = new KeyIndex(key.ToArray());
            ki.Restore(created, rev, version);
            ki.Lease = lease;
            _tree.Insert(ki);
        }
    }
}

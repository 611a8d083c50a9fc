namespace Kvasir.Storage.Mvcc;

/// <summary>
/// The in-memory history of one key, etcd's keyIndex: its generations, newest last. Every generation but
/// the newest ends with a tombstone; the newest is empty right after a delete. A key index with a single
/// empty generation is "empty" and leaves the index at compaction.
/// <para>
/// Not thread-safe: the <see cref="TreeIndex"/> that holds it guards it with its lock. It also carries the
/// lease of the key's live value (0 when none or deleted), which the lessor needs and Put reports.
/// </para>
/// </summary>
internal sealed partial class KeyIndex
{
    private Generation[] _gens;
    private int _genCount;

    public KeyIndex(byte[] key)
    {
        Key = key;
        _gens = new Generation[1];
        _genCount = 1;
    }

    public byte[] Key { get; }

    /// <summary>The lease of the live value, 0 when the key has none or is deleted.</summary>
    public long Lease { get; set; }

    public bool IsEmpty => _genCount == 1 && _gens[0].IsEmpty;

    /// <summary>True when the key has a live value at the newest revision (its newest generation is not empty).</summary>
    public bool IsLive => !_gens[_genCount - 1].IsEmpty;

    /// <summary>The newest revision of the key (its last put or tombstone).</summary>
    public Revision Modified
    {
        get
        {
            for (var i = _genCount - 1; i >= 0; i--)
            {
                if (!_gens[i].IsEmpty)
                {
                    return _gens[i].Last;
                }
            }

            return default;
        }
    }

    /// <summary>Records a put at <paramref name="rev"/>, which must be newer than every revision of the key.</summary>
    public void Put(Revision rev)
    {
        if (rev <= Modified)
        {
            throw new InvalidOperationException($"put of key at revision {rev} not after its last revision {Modified}");
        }

        ref var g = ref _gens[_genCount - 1];
        if (g.IsEmpty)
        {
            g.Created = rev.Main;
        }

        g.Append(rev);
        g.Ver++;
    }

    /// <summary>Starts the key from a backend row on open: one generation holding its newest revision.</summary>
    public void Restore(long created, Revision modified, long ver)
    {
        if (!IsEmpty)
        {
            throw new InvalidOperationException("restore of a key index that is not empty");
        }

        ref var g = ref _gens[0];
        g.Created = created;
        g.Ver = ver;
        g.Append(modified);
    }

    /// <summary>Records a delete at <paramref name="rev"/>: a tombstone ends the live generation. False when the key is not live.</summary>
    public bool Tombstone(Revision rev)
    {
        if (_gens[_genCount - 1].IsEmpty)
        {
            return false;
        }

        Put(rev);
        if (_genCount == _gens.Length)
        {
            Array.Resize(ref _gens, _genCount + 1);
        }

        _gens[_genCount++] = default;
        Lease = 0;
        return true;
    }

    /// <summary>
    /// The key as of main revision <paramref name="atRev"/>: the revision of its value then, the main
    /// revision that created it and its version. False when the key did not exist then.
    /// </summary>
    public bool TryGet(long atRev, out Revision modified, out long created, out long version)
    {
        var gi = FindGeneration(atRev);
        if (gi >= 0)
        {
            ref var g = ref _gens[gi];
            var n = g.NewestAtOrBefore(atRev);
            if (n >= 0)
            {
                modified = g.Revs![n];
                created = g.Created;
                version = g.Ver - (g.Count - n - 1);
                return true;
            }
        }

        modified = default;
        created = 0;
        version = 0;
        return false;
    }

    /// <summary>The generation live at <paramref name="rev"/>, or -1 (the key was deleted or not yet created).</summary>
    private int FindGeneration(long rev)
    {
        var last = _genCount - 1;
        for (var cg = last; cg >= 0; cg--)
        {
            ref var g = ref _gens[cg];
            if (g.IsEmpty)
            {
                continue;
            }

            if (cg != last && g.Last.Main <= rev)
            {
                // The generation was tombstoned at or before rev.
                return -1;
            }

            if (g.Revs![0].Main <= rev)
            {
                return cg;
            }
        }

        return -1;
    }
}

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// One life of a key: from its creation to its deletion (the tombstone, the last revision of every
/// generation but the newest). <see cref="Ver"/> counts the versions of the life so far, including ones
/// compaction has dropped from <see cref="Revs"/>; <see cref="Created"/> is the main revision that
/// created it. Revisions are kept in ascending order in <c>Revs[0..Count)</c>.
/// </summary>
internal struct Generation
{
    public long Ver;
    public long Created;
    public Revision[]? Revs;
    public int Count;

    public readonly bool IsEmpty => Count == 0;

    public readonly Revision Last => Revs![Count - 1];

    public void Append(Revision rev)
    {
        if (Revs is null)
        {
            Revs = new Revision[1];
        }
        else if (Count == Revs.Length)
        {
            Array.Resize(ref Revs, Count * 2);
        }

        Revs[Count++] = rev;
    }

    /// <summary>The position of the newest revision whose main is at most <paramref name="atRev"/>, or -1.</summary>
    public readonly int NewestAtOrBefore(long atRev)
    {
        for (var i = Count - 1; i >= 0; i--)
        {
            if (Revs![i].Main <= atRev)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Drops the revisions before position <paramref name="from"/>.</summary>
    public void TrimBefore(int from)
    {
        if (from <= 0)
        {
            return;
        }

        var left = Count - from;
        var revs = new Revision[Math.Max(1, left)];
        Array.Copy(Revs!, from, revs, 0, left);
        Revs = revs;
        Count = left;
    }
}

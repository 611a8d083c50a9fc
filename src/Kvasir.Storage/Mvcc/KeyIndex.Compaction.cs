namespace Kvasir.Storage.Mvcc;

/// <summary>Compaction of one key's history, with etcd's rules.</summary>
internal sealed partial class KeyIndex
{
    /// <summary>
    /// Drops the history the key no longer needs once everything before main revision <paramref name="atRev"/>
    /// is compacted: every generation tombstoned at or before atRev, and in the generation live at atRev every
    /// revision older than its newest at or before atRev. Reports that newest revision in <paramref name="kept"/>
    /// (its backend row survives) unless it was itself a tombstone dropped with its generation.
    /// </summary>
    public bool Compact(long atRev, out Revision kept)
    {
        var genIdx = FindCompactionGeneration(atRev, out var revIndex);
        ref var g = ref _gens[genIdx];
        var hasKept = false;
        kept = default;
        if (!g.IsEmpty)
        {
            if (revIndex != -1)
            {
                kept = g.Revs![revIndex];
                hasKept = true;
                g.TrimBefore(revIndex);
            }

            if (g.Count == 1 && genIdx != _genCount - 1)
            {
                // Only the tombstone is left: the whole generation goes.
                hasKept = false;
                genIdx++;
            }
        }

        if (genIdx > 0)
        {
            var left = _genCount - genIdx;
            var gens = new Generation[left];
            Array.Copy(_gens, genIdx, gens, 0, left);
            _gens = gens;
            _genCount = left;
        }

        return hasKept;
    }

    /// <summary>
    /// The revision a compaction at <paramref name="atRev"/> would keep for this key, without compacting
    /// (etcd's keep, which HashKV uses): the newest at or before atRev in the generation live then, unless it
    /// is that generation's tombstone.
    /// </summary>
    public bool Keep(long atRev, out Revision kept)
    {
        kept = default;
        if (IsEmpty)
        {
            return false;
        }

        var genIdx = FindCompactionGeneration(atRev, out var revIndex);
        ref var g = ref _gens[genIdx];
        if (g.IsEmpty || revIndex == -1)
        {
            return false;
        }

        if (revIndex == g.Count - 1 && genIdx != _genCount - 1)
        {
            return false;
        }

        kept = g.Revs![revIndex];
        return true;
    }

    private int FindCompactionGeneration(long atRev, out int revIndex)
    {
        var genIdx = 0;
        while (genIdx < _genCount - 1)
        {
            if (_gens[genIdx].Last.Main > atRev)
            {
                break;
            }

            genIdx++;
        }

        revIndex = _gens[genIdx].NewestAtOrBefore(atRev);
        return genIdx;
    }
}

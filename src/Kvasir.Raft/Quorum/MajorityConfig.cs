using System.Text;

namespace Kvasir.Raft.Quorum;

/// <summary>
/// An immutable set of node ids, sorted ascending, that decides by simple majority. Also serves as
/// the plain id set of learners. Changes return a new instance; configurations are shared freely.
/// </summary>
internal sealed class MajorityConfig
{
    /// <summary>The empty set. As a voter set it wins every vote and commits every index (ulong.MaxValue), the neutral element of a joint config.</summary>
    public static readonly MajorityConfig Empty = new([]);

    private readonly ulong[] _ids;

    private MajorityConfig(ulong[] sortedIds)
    {
        _ids = sortedIds;
    }

    /// <summary>The number of ids.</summary>
    public int Count => _ids.Length;

    /// <summary>The ids, ascending. Do not modify.</summary>
    public ReadOnlySpan<ulong> Ids => _ids;

    /// <summary>Builds a set from ids in any order; duplicates collapse.</summary>
    public static MajorityConfig Of(IEnumerable<ulong> ids)
    {
        var list = new List<ulong>(ids);
        list.Sort();
        var n = 0;
        for (var i = 0; i < list.Count; i++)
        {
            if (n == 0 || list[n - 1] != list[i])
            {
                list[n++] = list[i];
            }
        }

        return n == 0 ? Empty : new MajorityConfig(list.GetRange(0, n).ToArray());
    }

    /// <summary>Whether <paramref name="id"/> is in the set.</summary>
    public bool Contains(ulong id) => Array.BinarySearch(_ids, id) >= 0;

    /// <summary>The set with <paramref name="id"/> added (this one when present).</summary>
    public MajorityConfig With(ulong id)
    {
        var at = Array.BinarySearch(_ids, id);
        if (at >= 0)
        {
            return this;
        }

        at = ~at;
        var ids = new ulong[_ids.Length + 1];
        Array.Copy(_ids, 0, ids, 0, at);
        ids[at] = id;
        Array.Copy(_ids, at, ids, at + 1, _ids.Length - at);
        return new MajorityConfig(ids);
    }

    /// <summary>The set without <paramref name="id"/> (this one when absent).</summary>
    public MajorityConfig Without(ulong id)
    {
        var at = Array.BinarySearch(_ids, id);
        if (at < 0)
        {
            return this;
        }

        if (_ids.Length == 1)
        {
            return Empty;
        }

        var ids = new ulong[_ids.Length - 1];
        Array.Copy(_ids, 0, ids, 0, at);
        Array.Copy(_ids, at + 1, ids, at, _ids.Length - at - 1);
        return new MajorityConfig(ids);
    }

    /// <summary>The ids as a new array, ascending.</summary>
    public ulong[] ToArray() => (ulong[])_ids.Clone();

    /// <summary>
    /// The highest index acknowledged by a majority: sort the voters' acknowledged indexes (0 for
    /// none) and take the one a majority has reached. The empty set returns ulong.MaxValue so that
    /// a joint config's minimum ignores it.
    /// </summary>
    public ulong CommittedIndex(IAckedIndexer acked)
    {
        var n = _ids.Length;
        if (n == 0)
        {
            return ulong.MaxValue;
        }

        Span<ulong> sorted = n <= 16 ? stackalloc ulong[n] : new ulong[n];
        for (var i = 0; i < n; i++)
        {
            sorted[i] = acked.TryGetAckedIndex(_ids[i], out var index) ? index : 0;
        }

        sorted.Sort();

        // The quorum-th largest: n - (n/2 + 1) from the bottom.
        return sorted[n - (n / 2 + 1)];
    }

    /// <summary>
    /// Won when a majority granted, Lost when even the missing votes cannot make a majority, else
    /// Pending. The empty set wins.
    /// </summary>
    public VoteResult VoteResult(Dictionary<ulong, bool> votes)
    {
        if (_ids.Length == 0)
        {
            return Quorum.VoteResult.Won;
        }

        int granted = 0, missing = 0;
        foreach (var id in _ids)
        {
            if (!votes.TryGetValue(id, out var v))
            {
                missing++;
            }
            else if (v)
            {
                granted++;
            }
        }

        var q = _ids.Length / 2 + 1;
        if (granted >= q)
        {
            return Quorum.VoteResult.Won;
        }

        return granted + missing >= q ? Quorum.VoteResult.Pending : Quorum.VoteResult.Lost;
    }

    /// <summary>"(1 2 3)": the form used by logs and test output.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("(");
        for (var i = 0; i < _ids.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            sb.Append(_ids[i]);
        }

        return sb.Append(')').ToString();
    }
}

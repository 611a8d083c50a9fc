using Kvasir.Api.Mvccpb;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// The rows written since the last backend commit, which reader connections cannot see yet, in revision
/// order. One writer appends (holding the batch lock); any number of readers search it without locks.
/// <para>
/// Publication: an entry is written before the count that covers it, and a grown array is published before
/// that count, so a reader that reads the count first sees only complete entries. A commit starts a new
/// buffer rather than clearing this one: readers holding an older read state keep a complete view.
/// </para>
/// <para>
/// Invariant: every row with main revision at least <see cref="StartMain"/> that the store has published
/// is in this buffer or in a later one; every row below it was committed before the buffer was created.
/// </para>
/// </summary>
internal sealed class WriteBuffer
{
    private Entry[] _entries = new Entry[64];
    private int _count;

    public WriteBuffer(long startMain)
    {
        StartMain = startMain;
    }

    public long StartMain { get; }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Appends a row; <paramref name="rev"/> must follow every row already in the buffer. Writer only.</summary>
    public void Append(Revision rev, KeyValue kv, bool tombstone)
    {
        var entries = _entries;
        var n = _count;
        if (n == entries.Length)
        {
            var grown = new Entry[n * 2];
            Array.Copy(entries, grown, n);
            Volatile.Write(ref _entries, grown);
            entries = grown;
        }

        entries[n] = new Entry(rev, kv, tombstone);
        Volatile.Write(ref _count, n + 1);
    }

    /// <summary>The stored value of <paramref name="rev"/> (shared: callers clone before handing it out).</summary>
    public bool TryGet(Revision rev, out KeyValue kv)
    {
        if (rev.Main >= StartMain)
        {
            var n = Volatile.Read(ref _count);
            var entries = Volatile.Read(ref _entries);
            var i = LowerBound(entries, n, rev);
            if (i < n && entries[i].Rev == rev)
            {
                kv = entries[i].Kv;
                return true;
            }
        }

        kv = null!;
        return false;
    }

    /// <summary>A stable view of the entries published so far.</summary>
    public ReadOnlySpan<Entry> Snapshot()
    {
        var n = Volatile.Read(ref _count);
        return Volatile.Read(ref _entries).AsSpan(0, n);
    }

    /// <summary>The position of the first entry at or after <paramref name="rev"/> in <paramref name="entries"/>.</summary>
    public static int LowerBound(ReadOnlySpan<Entry> entries, Revision rev) => LowerBound(entries, entries.Length, rev);

    private static int LowerBound(ReadOnlySpan<Entry> entries, int n, Revision rev)
    {
        int lo = 0, hi = n;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (entries[mid].Rev < rev)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    internal readonly record struct Entry(Revision Rev, KeyValue Kv, bool Tombstone);
}

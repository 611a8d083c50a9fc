using Google.Protobuf;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// A key range as etcd reads a request's (key, range_end): an empty range_end means the single key;
/// range_end "\0" means every key at or above key; otherwise the keys in [key, range_end), which is empty
/// when range_end is not above key.
/// </summary>
public readonly struct KeyRange
{
    private static readonly ByteString Zero = ByteString.CopyFrom(0);

    public KeyRange(ByteString key, ByteString rangeEnd)
    {
        Key = key;
        IsSingleKey = rangeEnd.Length == 0;
        IsUnbounded = rangeEnd.Length == 1 && rangeEnd[0] == 0;
        End = IsUnbounded ? ByteString.Empty : rangeEnd;
    }

    public ByteString Key { get; }

    /// <summary>The exclusive end; empty for a single key or an unbounded range.</summary>
    public ByteString End { get; }

    public bool IsSingleKey { get; }

    public bool IsUnbounded { get; }

    /// <summary>The range_end etcd writes for "every key at or above key".</summary>
    public static ByteString FromKeyEnd => Zero;

    /// <summary>True when <paramref name="key"/> is in the range.</summary>
    public bool Contains(ReadOnlySpan<byte> key)
    {
        if (IsSingleKey)
        {
            return key.SequenceEqual(Key.Span);
        }

        return key.SequenceCompareTo(Key.Span) >= 0 && (IsUnbounded || key.SequenceCompareTo(End.Span) < 0);
    }

    /// <summary>The range_end that selects every key starting with <paramref name="prefix"/> (etcd's GetPrefixRangeEnd).</summary>
    public static ByteString PrefixEnd(ReadOnlySpan<byte> prefix)
    {
        var end = prefix.ToArray();
        for (var i = end.Length - 1; i >= 0; i--)
        {
            if (end[i] < 0xff)
            {
                end[i]++;
                return ByteString.CopyFrom(end, 0, i + 1);
            }
        }

        // Every byte is 0xff: no prefix end exists, so the range runs to the end of the key space.
        return Zero;
    }
}

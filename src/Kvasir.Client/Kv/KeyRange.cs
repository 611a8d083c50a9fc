using Google.Protobuf;

namespace Kvasir.Client;

/// <summary>etcd's key-range conventions: an empty range end is the one key, <c>"\0"</c> is every key from the start key on, and the prefix end covers every key that starts with the key.</summary>
public static class KeyRange
{
    /// <summary>The range end meaning "every key greater than or equal to the start key" (<c>"\0"</c>).</summary>
    public static ByteString FromKeyEnd { get; } = ByteString.CopyFrom(0);

    /// <summary>
    /// The range end that covers every key starting with <paramref name="prefix"/>: the prefix with its last
    /// byte below 0xff incremented and what follows dropped. A prefix of only 0xff bytes (or an empty one)
    /// has no such end: every key from it on is then covered (<see cref="FromKeyEnd"/>).
    /// </summary>
    public static ByteString PrefixEnd(ByteString prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var bytes = prefix.Span;
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                var end = bytes[..(i + 1)].ToArray();
                end[i]++;
                return ByteString.CopyFrom(end);
            }
        }

        return FromKeyEnd;
    }

    /// <summary>The (key, range end) pair a request carries for the given way of naming keys.</summary>
    /// <exception cref="ArgumentException">more than one of <paramref name="rangeEnd"/>, <paramref name="prefix"/> and <paramref name="fromKey"/> is given.</exception>
    internal static (ByteString Key, ByteString RangeEnd) Resolve(ByteString key, ByteString? rangeEnd, bool prefix, bool fromKey)
    {
        ArgumentNullException.ThrowIfNull(key);
        var ways = (rangeEnd is { IsEmpty: false } ? 1 : 0) + (prefix ? 1 : 0) + (fromKey ? 1 : 0);
        if (ways > 1)
        {
            throw new ArgumentException("give at most one of RangeEnd, Prefix and FromKey: they name the end of the range in different ways");
        }

        if (prefix)
        {
            // The prefix of nothing is every key, as etcd's clients take it.
            return key.IsEmpty ? (FromKeyEnd, FromKeyEnd) : (key, PrefixEnd(key));
        }

        if (fromKey)
        {
            return (key.IsEmpty ? FromKeyEnd : key, FromKeyEnd);
        }

        return (key, rangeEnd ?? ByteString.Empty);
    }
}

using Google.Protobuf;

namespace Kvasir.Server.Watch;

/// <summary>
/// The keys one watcher watches, read from a create request as etcd's watch server reads it: an
/// empty key is <c>"\0"</c> (the smallest key); an empty range_end is the single key; range_end
/// <c>"\0"</c> is every key at or above key; any other range_end is the half-open range
/// [key, range_end), which is empty when range_end is not above key.
/// </summary>
internal readonly struct WatchRange
{
    private static readonly ByteString SmallestKey = ByteString.CopyFrom(0);

    private WatchRange(ByteString key, ByteString? end, bool isSingleKey)
    {
        Key = key;
        End = end;
        IsSingleKey = isSingleKey;
    }

    public ByteString Key { get; }

    /// <summary>The exclusive end of a range; null for a single key and for a range without end.</summary>
    public ByteString? End { get; }

    public bool IsSingleKey { get; }

    /// <summary>True for a range whose end is not above its key (etcd refuses such a watch).</summary>
    public bool IsEmpty => End is { } end && Key.Span.SequenceCompareTo(end.Span) >= 0;

    public static WatchRange FromRequest(ByteString key, ByteString rangeEnd)
    {
        var k = key.Length == 0 ? SmallestKey : key;
        if (rangeEnd.Length == 0)
        {
            return new WatchRange(k, null, isSingleKey: true);
        }

        if (rangeEnd.Length == 1 && rangeEnd[0] == 0)
        {
            return new WatchRange(k, null, isSingleKey: false);
        }

        return new WatchRange(k, rangeEnd, isSingleKey: false);
    }

    public bool Contains(ReadOnlySpan<byte> key)
    {
        if (IsSingleKey)
        {
            return key.SequenceEqual(Key.Span);
        }

        return key.SequenceCompareTo(Key.Span) >= 0 && (End is null || key.SequenceCompareTo(End.Span) < 0);
    }
}

using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client;

/// <summary>How a Get (etcd's Range) reads. The defaults read one key, linearizably, at the latest revision.</summary>
public sealed record GetOptions
{
    /// <summary>Reads [key, RangeEnd). Exclusive with <see cref="Prefix"/> and <see cref="FromKey"/>.</summary>
    public ByteString? RangeEnd { get; init; }

    /// <summary>Reads every key that starts with the key (every key when the key is empty).</summary>
    public bool Prefix { get; init; }

    /// <summary>Reads every key greater than or equal to the key.</summary>
    public bool FromKey { get; init; }

    /// <summary>Reads at this revision (0 = latest). Older than the compaction: <see cref="EtcdCompactedException"/>; newer than the store: <c>future revision</c>.</summary>
    public long Revision { get; init; }

    /// <summary>At most this many keys (0 = no limit); the response's <c>More</c> says whether there were more.</summary>
    public long Limit { get; init; }

    public RangeRequest.Types.SortOrder SortOrder { get; init; }

    public RangeRequest.Types.SortTarget SortTarget { get; init; }

    /// <summary>Reads the member's local state without a quorum round (may be stale, never blocks on a leader).</summary>
    public bool Serializable { get; init; }

    /// <summary>Returns keys without values.</summary>
    public bool KeysOnly { get; init; }

    /// <summary>Returns only the count.</summary>
    public bool CountOnly { get; init; }

    public long MinModRevision { get; init; }

    public long MaxModRevision { get; init; }

    public long MinCreateRevision { get; init; }

    public long MaxCreateRevision { get; init; }

    /// <summary>The request these options make for <paramref name="key"/>. Throws <see cref="ArgumentException"/> for contradictory or negative settings.</summary>
    internal RangeRequest ToRequest(ByteString key)
    {
        var (start, end) = KeyRange.Resolve(key, RangeEnd, Prefix, FromKey);
        NotNegative(Revision, nameof(Revision));
        NotNegative(Limit, nameof(Limit));
        NotNegative(MinModRevision, nameof(MinModRevision));
        NotNegative(MaxModRevision, nameof(MaxModRevision));
        NotNegative(MinCreateRevision, nameof(MinCreateRevision));
        NotNegative(MaxCreateRevision, nameof(MaxCreateRevision));
        if (KeysOnly && CountOnly)
        {
            throw new ArgumentException("KeysOnly and CountOnly exclude each other: CountOnly returns no keys");
        }

        return new RangeRequest
        {
            Key = start,
            RangeEnd = end,
            Revision = Revision,
            Limit = Limit,
            SortOrder = SortOrder,
            SortTarget = SortTarget,
            Serializable = Serializable,
            KeysOnly = KeysOnly,
            CountOnly = CountOnly,
            MinModRevision = MinModRevision,
            MaxModRevision = MaxModRevision,
            MinCreateRevision = MinCreateRevision,
            MaxCreateRevision = MaxCreateRevision,
        };
    }

    internal static RangeRequest Single(ByteString key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new RangeRequest { Key = key };
    }

    private static void NotNegative(long value, string name)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value, "must not be negative");
        }
    }
}

using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;

namespace Kvasir.Client;

/// <summary>Which keys a Delete (etcd's DeleteRange) removes. The default removes the one key.</summary>
public sealed record DeleteOptions
{
    /// <summary>Deletes [key, RangeEnd). Exclusive with <see cref="Prefix"/> and <see cref="FromKey"/>.</summary>
    public ByteString? RangeEnd { get; init; }

    /// <summary>Deletes every key that starts with the key.</summary>
    public bool Prefix { get; init; }

    /// <summary>Deletes every key greater than or equal to the key.</summary>
    public bool FromKey { get; init; }

    /// <summary>Returns the deleted key-values in <c>PrevKvs</c>.</summary>
    public bool PrevKv { get; init; }

    internal DeleteRangeRequest ToRequest(ByteString key)
    {
        var (start, end) = KeyRange.Resolve(key, RangeEnd, Prefix, FromKey);
        return new DeleteRangeRequest { Key = start, RangeEnd = end, PrevKv = PrevKv };
    }
}

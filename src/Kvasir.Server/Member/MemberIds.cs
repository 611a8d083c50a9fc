using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Kvasir.Server.Member;

/// <summary>
/// Member and cluster ids computed exactly as etcd computes them, so that a Kvasir member started
/// with the same flags as an etcd member reports the same ids (the default member is
/// <c>8e9e05c52164694d</c> in cluster <c>cdf818194e3a8c32</c>).
/// </summary>
public static class MemberIds
{
    /// <summary>
    /// etcd's member id: the first 8 bytes (big-endian) of SHA-1 over the member's peer URLs sorted
    /// and concatenated, then the cluster token, then — for a member added at runtime — the Unix
    /// time in seconds as decimal text.
    /// </summary>
    public static ulong ComputeMemberId(IEnumerable<string> peerUrls, string clusterToken, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(peerUrls);
        ArgumentNullException.ThrowIfNull(clusterToken);
        var sorted = new List<string>(peerUrls);
        sorted.Sort(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var url in sorted)
        {
            text.Append(url);
        }

        text.Append(clusterToken);
        if (now is { } t)
        {
            text.Append(t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        }

        return First8(SHA1.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>etcd's cluster id: the first 8 bytes of SHA-1 over the sorted member ids, each 8 bytes big-endian.</summary>
    public static ulong ComputeClusterId(IEnumerable<ulong> memberIds)
    {
        ArgumentNullException.ThrowIfNull(memberIds);
        var ids = new List<ulong>(memberIds);
        ids.Sort();
        var bytes = new byte[8 * ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(8 * i), ids[i]);
        }

        return First8(SHA1.HashData(bytes));
    }

    /// <summary>A URL as etcd writes it: the text given, with no trailing slash added.</summary>
    public static string UrlText(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.OriginalString;
    }

    /// <summary>An id as etcd prints it: lower-case hex without leading zeros.</summary>
    public static string Hex(ulong id) => id.ToString("x", CultureInfo.InvariantCulture);

    private static ulong First8(byte[] hash) => BinaryPrimitives.ReadUInt64BigEndian(hash);
}

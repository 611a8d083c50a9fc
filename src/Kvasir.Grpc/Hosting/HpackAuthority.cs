using System.Text;

namespace Kvasir.Grpc.Hosting;

/// <summary>
/// Finds the literal <c>:authority</c> of an HPACK header block and, when it carries a URL scheme
/// (<c>http://127.0.0.1:2379</c>, which grpc-go sends when an etcd client dials an endpoint
/// written with its scheme), rewrites it to the host and port alone. etcd's server accepts such an
/// authority; Kestrel resets the stream as an invalid Host. Every other representation is kept
/// byte for byte, and the new value is shorter than the old one, so the server's dynamic table
/// evicts no entry the client still refers to: the two tables stay in step.
/// </summary>
internal static class HpackAuthority
{
    /// <summary>What a header block holds.</summary>
    internal enum Outcome
    {
        /// <summary>No literal :authority (absent, or sent by index).</summary>
        NoLiteral,

        /// <summary>A literal :authority that is fine as it is.</summary>
        Clean,

        /// <summary>A literal :authority with a scheme; <c>rewritten</c> holds the new block.</summary>
        Rewritten,

        /// <summary>The block could not be walked; it is left alone.</summary>
        Malformed,
    }

    private const int AuthorityIndex = 1; // HPACK's static table: 1 = :authority

    /// <summary>Walks <paramref name="block"/>; on <see cref="Outcome.Rewritten"/>, <paramref name="rewritten"/> is the block to send on.</summary>
    public static Outcome Rewrite(ReadOnlySpan<byte> block, out byte[]? rewritten)
    {
        rewritten = null;
        var at = 0;
        while (at < block.Length)
        {
            var first = block[at];
            int prefix;
            if ((first & 0x80) != 0)
            {
                if (!TryInteger(block, ref at, 7, out _))
                {
                    return Outcome.Malformed;
                }

                continue;
            }

            if ((first & 0xC0) == 0x40)
            {
                prefix = 6;
            }
            else if ((first & 0xE0) == 0x20)
            {
                if (!TryInteger(block, ref at, 5, out _))
                {
                    return Outcome.Malformed;
                }

                continue;
            }
            else
            {
                prefix = 4;
            }

            // A literal: name by index (or a literal name when the index is 0), then the value.
            if (!TryInteger(block, ref at, prefix, out var nameIndex) || (nameIndex == 0 && !TrySkipString(block, ref at)))
            {
                return Outcome.Malformed;
            }

            var valueStart = at;
            if (!TryReadString(block, ref at, out var value))
            {
                return Outcome.Malformed;
            }

            if (nameIndex != AuthorityIndex)
            {
                continue;
            }

            var host = WithoutScheme(value);
            if (host is null)
            {
                return Outcome.Clean;
            }

            // Same representation and name index; the value as a plain (not Huffman-coded) string.
            var replacement = new List<byte>(block.Length);
            replacement.AddRange(block[..valueStart]);
            AppendInteger(replacement, 7, 0x00, host.Length);
            replacement.AddRange(Encoding.ASCII.GetBytes(host));
            replacement.AddRange(block[at..]);
            rewritten = [.. replacement];
            return Outcome.Rewritten;
        }

        return Outcome.NoLiteral;
    }

    /// <summary>The host and port of an authority written as a URL; null when it has no scheme.</summary>
    internal static string? WithoutScheme(string authority)
    {
        var scheme = authority.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return null;
        }

        var rest = authority[(scheme + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        rest = slash < 0 ? rest : rest[..slash];
        return rest.Length == 0 ? null : rest;
    }

    private static bool TryInteger(ReadOnlySpan<byte> block, ref int at, int prefix, out long value)
    {
        var max = (1 << prefix) - 1;
        value = block[at++] & max;
        if (value < max)
        {
            return true;
        }

        for (var shift = 0; shift < 56; shift += 7)
        {
            if (at >= block.Length)
            {
                return false;
            }

            var b = block[at++];
            value += (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool TrySkipString(ReadOnlySpan<byte> block, ref int at) => TryStringBounds(block, ref at, out _, out _);

    private static bool TryReadString(ReadOnlySpan<byte> block, ref int at, out string value)
    {
        value = "";
        if (!TryStringBounds(block, ref at, out var huffman, out var bytes))
        {
            return false;
        }

        if (!huffman)
        {
            value = Encoding.Latin1.GetString(bytes);
            return true;
        }

        var decoded = new List<byte>(bytes.Length * 2);
        if (!HpackHuffman.TryDecode(bytes, decoded))
        {
            return false;
        }

        value = Encoding.Latin1.GetString([.. decoded]);
        return true;
    }

    private static bool TryStringBounds(ReadOnlySpan<byte> block, ref int at, out bool huffman, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        huffman = at < block.Length && (block[at] & 0x80) != 0;
        if (at >= block.Length || !TryInteger(block, ref at, 7, out var length) || length > block.Length - at)
        {
            return false;
        }

        bytes = block.Slice(at, (int)length);
        at += (int)length;
        return true;
    }

    private static void AppendInteger(List<byte> into, int prefix, byte high, int value)
    {
        var max = (1 << prefix) - 1;
        if (value < max)
        {
            into.Add((byte)(high | value));
            return;
        }

        into.Add((byte)(high | max));
        value -= max;
        while (value >= 0x80)
        {
            into.Add((byte)((value & 0x7F) | 0x80));
            value >>= 7;
        }

        into.Add((byte)value);
    }
}

namespace Kvasir.Grpc.Hosting.Hpack;

/// <summary>
/// Finds an HTTP/2 <c>:authority</c> written with a URL scheme in an HPACK header block and drops the
/// scheme (<c>http://127.0.0.1:2379</c> becomes <c>127.0.0.1:2379</c>).
/// </summary>
/// <remarks>
/// etcd's Go clients dial a single endpoint as <c>passthrough:///http://host:port</c>, so the whole
/// URL becomes the <c>:authority</c>; etcd's server takes it, Kestrel resets such a stream as an
/// invalid Host. Only the literal forms with the static table's <c>:authority</c> name (index 1)
/// are rewritten — the form every HPACK encoder uses for it. A literal with incremental indexing
/// still enters the decoder's dynamic table, with the shorter value: the decoder's table then
/// never holds more bytes than the client's, so it evicts no earlier, and every index the client
/// refers to stays the same entry on both sides.
/// </remarks>
internal static class HpackAuthority
{
    private const int AuthorityIndex = 1;

    /// <summary>
    /// The block with every schemed <c>:authority</c> rewritten, or null when there is none (or the block
    /// cannot be walked, which the server's own decoder then reports).
    /// </summary>
    public static byte[]? TryRewrite(ReadOnlySpan<byte> block)
    {
        List<byte>? output = null;
        var copiedUpTo = 0;
        var pos = 0;
        while (pos < block.Length)
        {
            var first = block[pos];
            int prefixBits;
            if ((first & 0x80) != 0)
            {
                // Indexed field: the whole field is one integer.
                if (!TryReadInteger(block, ref pos, 7, out _))
                {
                    return null;
                }

                continue;
            }

            if ((first & 0xE0) == 0x20)
            {
                // Dynamic table size update.
                if (!TryReadInteger(block, ref pos, 5, out _))
                {
                    return null;
                }

                continue;
            }

            // A literal: with incremental indexing (01), without indexing (0000) or never indexed (0001).
            prefixBits = (first & 0xC0) == 0x40 ? 6 : 4;
            if (!TryReadInteger(block, ref pos, prefixBits, out var nameIndex))
            {
                return null;
            }

            if (nameIndex == 0 && !TrySkipString(block, ref pos))
            {
                return null;
            }

            var valueStart = pos;
            if (!TryReadString(block, ref pos, out var value))
            {
                return null;
            }

            if (nameIndex != AuthorityIndex || StripScheme(value) is not { } stripped)
            {
                continue;
            }

            output ??= new List<byte>(block.Length);
            output.AddRange(block[copiedUpTo..valueStart]);
            WriteRawString(output, stripped);
            copiedUpTo = pos;
        }

        if (output is null)
        {
            return null;
        }

        output.AddRange(block[copiedUpTo..]);
        return [.. output];
    }

    /// <summary>The value without a leading <c>http://</c> or <c>https://</c>, or null when it has neither.</summary>
    private static byte[]? StripScheme(byte[] value)
    {
        ReadOnlySpan<byte> v = value;
        if (v.StartsWith("http://"u8))
        {
            return v["http://".Length..].ToArray();
        }

        if (v.StartsWith("https://"u8))
        {
            return v["https://".Length..].ToArray();
        }

        return null;
    }

    /// <summary>Reads an HPACK integer with an <paramref name="prefixBits"/>-bit prefix (RFC 7541 5.1).</summary>
    internal static bool TryReadInteger(ReadOnlySpan<byte> block, ref int pos, int prefixBits, out long value)
    {
        value = 0;
        if (pos >= block.Length)
        {
            return false;
        }

        var max = (1 << prefixBits) - 1;
        value = block[pos++] & max;
        if (value < max)
        {
            return true;
        }

        for (var shift = 0; shift <= 28; shift += 7)
        {
            if (pos >= block.Length)
            {
                return false;
            }

            var b = block[pos++];
            value += (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool TrySkipString(ReadOnlySpan<byte> block, ref int pos)
    {
        if (!TryReadInteger(block, ref pos, 7, out var length) || length > block.Length - pos)
        {
            return false;
        }

        pos += (int)length;
        return true;
    }

    /// <summary>Reads a string literal (RFC 7541 5.2), Huffman-decoding it when its H bit is set.</summary>
    private static bool TryReadString(ReadOnlySpan<byte> block, ref int pos, out byte[] value)
    {
        value = [];
        if (pos >= block.Length)
        {
            return false;
        }

        var huffman = (block[pos] & 0x80) != 0;
        if (!TryReadInteger(block, ref pos, 7, out var length) || length > block.Length - pos)
        {
            return false;
        }

        var raw = block.Slice(pos, (int)length);
        pos += (int)length;
        if (!huffman)
        {
            value = raw.ToArray();
            return true;
        }

        var decoded = new List<byte>(raw.Length * 8 / 5);
        if (!HpackHuffman.TryDecode(raw, decoded))
        {
            return false;
        }

        value = [.. decoded];
        return true;
    }

    /// <summary>Writes <paramref name="value"/> as a string literal without Huffman coding.</summary>
    private static void WriteRawString(List<byte> output, byte[] value)
    {
        var length = value.Length;
        if (length < 0x7F)
        {
            output.Add((byte)length);
        }
        else
        {
            output.Add(0x7F);
            length -= 0x7F;
            while (length >= 0x80)
            {
                output.Add((byte)((length & 0x7F) | 0x80));
                length >>= 7;
            }

            output.Add((byte)length);
        }

        output.AddRange(value);
    }
}

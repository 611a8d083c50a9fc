namespace Kvasir.Grpc.Hosting.Hpack;

/// <summary>
/// Decodes HPACK's static Huffman code (RFC 7541 appendix B). The code is canonical: ordered by
/// length and then by symbol, each code is the previous one plus one, shifted left by the growth in
/// length, so the table is kept as the 256 code lengths alone and the codes are derived from them.
/// </summary>
internal static class HpackHuffman
{
    // The bit length of each byte value's code; the end-of-string symbol's code is thirty 1-bits.
    private static ReadOnlySpan<byte> CodeLengths =>
    [
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
    ];

    // By length (index 0..30): the first code of that length and the symbols of that length in code order.
    private static readonly uint[] FirstCode = new uint[31];
    private static readonly byte[][] Symbols = BuildTable();

    /// <summary>
    /// Decodes <paramref name="encoded"/> into <paramref name="decoded"/>. False when the input is not a
    /// valid encoding: a code that is not in the table, the end-of-string symbol inside the data, or padding
    /// that is longer than 7 bits or not made of 1-bits.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, List<byte> decoded)
    {
        uint code = 0;
        var length = 0;
        foreach (var b in encoded)
        {
            for (var bit = 7; bit >= 0; bit--)
            {
                code = (code << 1) | (uint)((b >> bit) & 1);
                length++;
                if (length > 30)
                {
                    return false;
                }

                var symbols = Symbols[length];
                var offset = code - FirstCode[length];
                if (symbols.Length > 0 && code >= FirstCode[length] && offset < (uint)symbols.Length)
                {
                    decoded.Add(symbols[offset]);
                    code = 0;
                    length = 0;
                }
            }
        }

        // What is left is padding: at most 7 bits, all ones (a prefix of the end-of-string code).
        return length <= 7 && code == (1u << length) - 1;
    }

    private static byte[][] BuildTable()
    {
        var lengths = CodeLengths;
        var byLength = new List<byte>[31];
        for (var i = 0; i < byLength.Length; i++)
        {
            byLength[i] = [];
        }

        for (var symbol = 0; symbol < 256; symbol++)
        {
            byLength[lengths[symbol]].Add((byte)symbol);
        }

        var symbols = new byte[31][];
        uint next = 0;
        for (var len = 1; len <= 30; len++)
        {
            next <<= 1;
            FirstCode[len] = next;
            symbols[len] = [.. byLength[len]];
            next += (uint)symbols[len].Length;
        }

        symbols[0] = [];
        return symbols;
    }
}

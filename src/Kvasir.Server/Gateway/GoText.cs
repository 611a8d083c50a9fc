using System.Buffers;
using System.Globalization;
using System.Text;

namespace Kvasir.Server.Gateway;

/// <summary>
/// Go's text conventions the gateway must reproduce byte for byte: how encoding/json quotes an
/// offending character in its errors, unquotes a JSON string, escapes a string it writes (HTML
/// characters as <c>\u003c</c>, U+2028/2029, invalid UTF-16 as U+FFFD), and how base64's
/// standard decoding reports the first bad byte.
/// </summary>
internal static class GoText
{
    private const string Hex = "0123456789abcdef";

    /// <summary>Go's json <c>quoteChar</c>: <c>'x'</c>, with <c>strconv.Quote</c>'s escapes inside.</summary>
    public static string QuoteChar(byte c)
    {
        if (c == '\'')
        {
            return @"'\''";
        }

        if (c == '"')
        {
            return "'\"'";
        }

        var text = new StringBuilder(8).Append('\'');
        AppendQuotedRune(text, c);
        return text.Append('\'').ToString();
    }

    /// <summary>Go's <c>%q</c> of a byte string: double quotes, <c>strconv.Quote</c>'s escapes.</summary>
    public static string Quote(ReadOnlySpan<byte> utf8)
    {
        var text = new StringBuilder(utf8.Length + 2).Append('"');
        while (!utf8.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(utf8, out var rune, out var consumed);
            if (status != OperationStatus.Done)
            {
                // A byte that is not UTF-8: Go writes it as \x.
                text.Append(@"\x").Append(Hex[utf8[0] >> 4]).Append(Hex[utf8[0] & 0xF]);
                utf8 = utf8[1..];
                continue;
            }

            if (rune.Value == '"')
            {
                text.Append("\\\"");
            }
            else
            {
                AppendQuotedRune(text, rune.Value);
            }

            utf8 = utf8[consumed..];
        }

        return text.Append('"').ToString();
    }

    /// <summary>
    /// The UTF-8 bytes of a JSON string's raw content (between its quotes, already validated):
    /// escapes decoded, a lone or broken surrogate escape and invalid UTF-8 replaced with U+FFFD,
    /// as Go's json <c>unquote</c>.
    /// </summary>
    public static byte[] Unquote(ReadOnlySpan<byte> raw)
    {
        if (raw.IndexOf((byte)'\\') < 0 && System.Text.Unicode.Utf8.IsValid(raw))
        {
            return raw.ToArray();
        }

        var output = new ArrayBufferWriter<byte>(raw.Length);
        Span<byte> encoded = stackalloc byte[4];
        var i = 0;
        while (i < raw.Length)
        {
            var c = raw[i];
            if (c == '\\')
            {
                var e = raw[i + 1];
                if (e == 'u')
                {
                    var r = Hex4(raw[(i + 2)..]);
                    i += 6;
                    if (char.IsSurrogate((char)r))
                    {
                        if (char.IsHighSurrogate((char)r) && i + 6 <= raw.Length && raw[i] == '\\' && raw[i + 1] == 'u' && char.IsLowSurrogate((char)Hex4(raw[(i + 2)..])))
                        {
                            r = char.ConvertToUtf32((char)r, (char)Hex4(raw[(i + 2)..]));
                            i += 6;
                        }
                        else
                        {
                            r = 0xFFFD;
                        }
                    }

                    var n = new Rune(r).EncodeToUtf8(encoded);
                    output.Write(encoded[..n]);
                    continue;
                }

                output.Write([e switch
                {
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    _ => e,
                }]);
                i += 2;
                continue;
            }

            var status = Rune.DecodeFromUtf8(raw[i..], out var rune, out var consumed);
            if (status != OperationStatus.Done)
            {
                output.Write("\uFFFD"u8);
                i++;
                continue;
            }

            output.Write(raw.Slice(i, consumed));
            i += consumed;
            _ = rune;
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Go's <c>base64.StdEncoding.Decode</c>: padding required, CR and LF skipped, non-zero
    /// trailing bits accepted. Null and Go's error text (<c>illegal base64 data at input byte N</c>)
    /// when the input is not base64.
    /// </summary>
    public static byte[]? DecodeBase64(ReadOnlySpan<byte> src, out string? error)
    {
        error = null;
        var output = new byte[(src.Length / 4 * 3) + 3];
        var n = 0;
        var si = 0;
        Span<int> quantum = stackalloc int[4];
        while (true)
        {
            var length = 4;
            var j = 0;
            for (; j < 4; j++)
            {
                if (si == src.Length)
                {
                    if (j == 0)
                    {
                        return output[..n];
                    }

                    // A quantum cut short: Go reports where it began.
                    return Fail(si - j, out error);
                }

                var c = src[si++];
                var v = Value(c);
                if (v >= 0)
                {
                    quantum[j] = v;
                    continue;
                }

                if (c is (byte)'\n' or (byte)'\r')
                {
                    j--;
                    continue;
                }

                if (c != '=' || j < 2)
                {
                    return Fail(si - 1, out error);
                }

                if (j == 2)
                {
                    // "==" is due: the second '=' must follow (newlines aside).
                    while (si < src.Length && src[si] is (byte)'\n' or (byte)'\r')
                    {
                        si++;
                    }

                    if (si == src.Length)
                    {
                        return Fail(src.Length, out error);
                    }

                    if (src[si] != '=')
                    {
                        return Fail(si - 1, out error);
                    }

                    si++;
                }

                while (si < src.Length && src[si] is (byte)'\n' or (byte)'\r')
                {
                    si++;
                }

                if (si < src.Length)
                {
                    // Data after the padding.
                    return Fail(si, out error);
                }

                length = j;
                break;
            }

            var bits = (quantum[0] << 18) | (quantum[1] << 12) | (length > 2 ? quantum[2] << 6 : 0) | (length > 3 ? quantum[3] : 0);
            output[n++] = (byte)(bits >> 16);
            if (length > 2)
            {
                output[n++] = (byte)(bits >> 8);
            }

            if (length > 3)
            {
                output[n++] = (byte)bits;
            }

            if (length < 4)
            {
                return output[..n];
            }
        }
    }

    /// <summary>Writes <paramref name="value"/> as a quoted JSON string the way Go's json.Marshal does (HTML-safe).</summary>
    public static void WriteJsonString(IBufferWriter<byte> output, string value)
    {
        var span = output.GetSpan((value.Length * 6) + 2);
        var w = 0;
        span[w++] = (byte)'"';
        for (var i = 0; i < value.Length; i++)
        {
            var ch = value[i];
            if (ch < 0x80)
            {
                if (ch >= 0x20 && ch is not ('"' or '\\' or '<' or '>' or '&'))
                {
                    span[w++] = (byte)ch;
                    continue;
                }

                switch (ch)
                {
                    case '"' or '\\':
                        span[w++] = (byte)'\\';
                        span[w++] = (byte)ch;
                        break;
                    case '\n':
                        span[w++] = (byte)'\\';
                        span[w++] = (byte)'n';
                        break;
                    case '\r':
                        span[w++] = (byte)'\\';
                        span[w++] = (byte)'r';
                        break;
                    case '\t':
                        span[w++] = (byte)'\\';
                        span[w++] = (byte)'t';
                        break;
                    default:
                        w += WriteU(span[w..], ch);
                        break;
                }

                continue;
            }

            int code;
            if (char.IsHighSurrogate(ch) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                code = char.ConvertToUtf32(ch, value[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(ch))
            {
                // Not a character: Go writes the replacement character's escape.
                w += WriteU(span[w..], 0xFFFD);
                continue;
            }
            else
            {
                code = ch;
            }

            if (code is 0x2028 or 0x2029)
            {
                w += WriteU(span[w..], code);
                continue;
            }

            w += new Rune(code).EncodeToUtf8(span[w..]);
        }

        span[w++] = (byte)'"';
        output.Advance(w);
    }

    private static int WriteU(Span<byte> span, int code)
    {
        span[0] = (byte)'\\';
        span[1] = (byte)'u';
        span[2] = (byte)Hex[(code >> 12) & 0xF];
        span[3] = (byte)Hex[(code >> 8) & 0xF];
        span[4] = (byte)Hex[(code >> 4) & 0xF];
        span[5] = (byte)Hex[code & 0xF];
        return 6;
    }

    private static byte[]? Fail(int position, out string? error)
    {
        error = $"illegal base64 data at input byte {position.ToString(CultureInfo.InvariantCulture)}";
        return null;
    }

    private static int Value(byte c) => c switch
    {
        >= (byte)'A' and <= (byte)'Z' => c - 'A',
        >= (byte)'a' and <= (byte)'z' => c - 'a' + 26,
        >= (byte)'0' and <= (byte)'9' => c - '0' + 52,
        (byte)'+' => 62,
        (byte)'/' => 63,
        _ => -1,
    };

    private static int Hex4(ReadOnlySpan<byte> digits) =>
        int.Parse(Encoding.ASCII.GetString(digits[..4]), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    /// <summary>One rune as <c>strconv.Quote</c> writes it (without the surrounding quotes).</summary>
    private static void AppendQuotedRune(StringBuilder text, int rune)
    {
        switch (rune)
        {
            case '\a': text.Append(@"\a"); return;
            case '\b': text.Append(@"\b"); return;
            case '\f': text.Append(@"\f"); return;
            case '\n': text.Append(@"\n"); return;
            case '\r': text.Append(@"\r"); return;
            case '\t': text.Append(@"\t"); return;
            case '\v': text.Append(@"\v"); return;
            case '\\': text.Append(@"\\"); return;
        }

        if (rune < ' ' || rune == 0x7F)
        {
            text.Append(@"\x").Append(Hex[rune >> 4]).Append(Hex[rune & 0xF]);
            return;
        }

        if (IsPrint(rune))
        {
            text.Append(char.ConvertFromUtf32(rune));
            return;
        }

        if (rune < 0x10000)
        {
            text.Append(@"\u").Append(rune.ToString("x4", CultureInfo.InvariantCulture));
        }
        else
        {
            text.Append(@"\U").Append(rune.ToString("x8", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.</summary>
    private static bool IsPrint(int rune)
    {
        if (rune == ' ')
        {
            return true;
        }

        var category = CharUnicodeInfo.GetUnicodeCategory(rune);
        return category is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator);
    }
}

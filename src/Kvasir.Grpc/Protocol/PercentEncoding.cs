using System.Text;

namespace Kvasir.Grpc.Protocol;

/// <summary>
/// <c>grpc-message</c>'s encoding: the UTF-8 bytes of the text, with every byte outside printable
/// ASCII (0x20–0x7E) and '%' itself written as <c>%XX</c>. Plain ASCII text passes unchanged and
/// unallocated. Decoding keeps a malformed escape as it is, as the gRPC spec asks.
/// </summary>
internal static class PercentEncoding
{
    public static string Encode(string text)
    {
        var plain = true;
        foreach (var c in text)
        {
            if (c is < ' ' or > '~' or '%')
            {
                plain = false;
                break;
            }
        }

        if (plain)
        {
            return text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        var sb = new StringBuilder(bytes.Length + 16);
        foreach (var b in bytes)
        {
            if (b is < 0x20 or > 0x7E or (byte)'%')
            {
                sb.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
            else
            {
                sb.Append((char)b);
            }
        }

        return sb.ToString();
    }

    public static string Decode(string text)
    {
        if (!text.Contains('%'))
        {
            return text;
        }

        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%' && i + 2 < text.Length && HexValue(text[i + 1]) is var hi and >= 0 && HexValue(text[i + 2]) is var lo and >= 0)
            {
                bytes.Add((byte)((hi << 4) | lo));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static char HexDigit(int v) => (char)(v < 10 ? '0' + v : 'A' + v - 10);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}

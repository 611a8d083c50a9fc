namespace Kvasir.Server.Watch;

/// <summary>Protobuf's base-128 varint, written straight into a span (negative int64s take ten bytes, as protobuf writes them).</summary>
internal static class Varint
{
    /// <summary>Writes <paramref name="value"/>; returns the bytes written.</summary>
    public static int Write(Span<byte> destination, ulong value)
    {
        var at = 0;
        while (value >= 0x80)
        {
            destination[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[at++] = (byte)value;
        return at;
    }
}

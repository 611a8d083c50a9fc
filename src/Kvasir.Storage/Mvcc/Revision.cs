using System.Buffers.Binary;

namespace Kvasir.Storage.Mvcc;

/// <summary>
/// etcd's revision: <see cref="Main"/> is the store revision of a write transaction, <see cref="Sub"/> the
/// index of a change within it. Ordered by main, then sub. In the backend a revision is the key of its
/// row, in etcd's bytes: main (8 bytes, big-endian), '_', sub (8 bytes, big-endian), and a trailing 't'
/// when the row is a tombstone. Those bytes sort as the revisions do, and HashKV hashes them.
/// </summary>
public readonly record struct Revision(long Main, long Sub) : IComparable<Revision>
{
    /// <summary>Length of a revision key in the backend.</summary>
    public const int KeyLength = 17;

    /// <summary>Length of a tombstone's revision key (the mark byte appended).</summary>
    public const int TombstoneKeyLength = 18;

    /// <summary>The mark etcd appends to a tombstone's revision key.</summary>
    public const byte TombstoneMark = (byte)'t';

    public int CompareTo(Revision other) => Main != other.Main ? Main.CompareTo(other.Main) : Sub.CompareTo(other.Sub);

    public bool GreaterThan(Revision other) => CompareTo(other) > 0;

    public static bool operator <(Revision a, Revision b) => a.CompareTo(b) < 0;

    public static bool operator >(Revision a, Revision b) => a.CompareTo(b) > 0;

    public static bool operator <=(Revision a, Revision b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Revision a, Revision b) => a.CompareTo(b) >= 0;

    /// <summary>Writes the 17-byte key (18 with the tombstone mark) into <paramref name="into"/>; returns its length.</summary>
    public int WriteKey(Span<byte> into, bool tombstone = false)
    {
        BinaryPrimitives.WriteInt64BigEndian(into, Main);
        into[8] = (byte)'_';
        BinaryPrimitives.WriteInt64BigEndian(into[9..], Sub);
        if (!tombstone)
        {
            return KeyLength;
        }

        into[KeyLength] = TombstoneMark;
        return TombstoneKeyLength;
    }

    /// <summary>Reads a backend row key; throws when it is not a revision key.</summary>
    public static Revision FromKey(ReadOnlySpan<byte> key, out bool tombstone)
    {
        if ((key.Length != KeyLength && key.Length != TombstoneKeyLength) || key[8] != (byte)'_' ||
            (key.Length == TombstoneKeyLength && key[KeyLength] != TombstoneMark))
        {
            throw new Backend.BackendException($"malformed revision key of {key.Length} bytes in the key table");
        }

        tombstone = key.Length == TombstoneKeyLength;
        return new Revision(BinaryPrimitives.ReadInt64BigEndian(key), BinaryPrimitives.ReadInt64BigEndian(key[9..]));
    }

    public override string ToString() => $"{Main}.{Sub}";
}

using System.Globalization;

namespace Kvasir.Storage.Wal;

/// <summary>
/// A segment's file name, <c>seq-index.wal</c> in 16 hex digits each (etcd's <c>%016x-%016x.wal</c>):
/// seq counts segments from 0; index is the Raft index of the last entry before the segment plus one
/// (0 for the first segment of a new WAL, the snapshot's index for one created from a snapshot). A
/// segment's index can be below its predecessor's: a new leader may have cut the log back.
/// </summary>
public readonly record struct WalSegmentName(ulong Seq, ulong Index) : IComparable<WalSegmentName>
{
    public const string Extension = ".wal";

    public string FileName => $"{Seq:x16}-{Index:x16}{Extension}";

    public static bool TryParse(string fileName, out WalSegmentName name)
    {
        name = default;
        if (fileName.Length != 16 + 1 + 16 + Extension.Length || fileName[16] != '-' || !fileName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return false;
        }

        if (!ulong.TryParse(fileName.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var seq)
            || !ulong.TryParse(fileName.AsSpan(17, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var index))
        {
            return false;
        }

        name = new WalSegmentName(seq, index);
        return true;
    }

    public int CompareTo(WalSegmentName other) => Seq.CompareTo(other.Seq);

    public override string ToString() => FileName;
}

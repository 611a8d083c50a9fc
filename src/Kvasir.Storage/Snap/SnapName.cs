using System.Globalization;

namespace Kvasir.Storage.Snap;

/// <summary>A snapshot file's name, <c>term-index.snap</c> in 16 hex digits each (etcd's <c>%016x-%016x.snap</c>).</summary>
public readonly record struct SnapName(ulong Term, ulong Index) : IComparable<SnapName>
{
    public const string Extension = ".snap";

    public string FileName => $"{Term:x16}-{Index:x16}{Extension}";

    public static bool TryParse(string fileName, out SnapName name)
    {
        name = default;
        if (fileName.Length != 16 + 1 + 16 + Extension.Length || fileName[16] != '-' || !fileName.EndsWith(Extension, StringComparison.Ordinal))
        {
            return false;
        }

        if (!ulong.TryParse(fileName.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var term)
            || !ulong.TryParse(fileName.AsSpan(17, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var index))
        {
            return false;
        }

        name = new SnapName(term, index);
        return true;
    }

    /// <summary>Newer is greater: by index, then term.</summary>
    public int CompareTo(SnapName other)
    {
        var byIndex = Index.CompareTo(other.Index);
        return byIndex != 0 ? byIndex : Term.CompareTo(other.Term);
    }

    public override string ToString() => FileName;
}

namespace Kvasir.Server.Metrics;

/// <summary>
/// Compares label sets, and a measurement's tag span with a stored label set, so a series is found
/// by the span itself (a dictionary's alternate lookup): recording a tagged measurement allocates
/// nothing once its series exists.
/// </summary>
internal sealed class LabelSetComparer : IEqualityComparer<LabelSet>, IAlternateEqualityComparer<TagSpan, LabelSet>
{
    public static readonly LabelSetComparer Instance = new();

    public bool Equals(LabelSet? x, LabelSet? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.Hash == y.Hash && x.Matches(y.Tags));

    public int GetHashCode(LabelSet obj) => obj.Hash;

    public bool Equals(TagSpan alternate, LabelSet other) => other.Matches(alternate.Tags);

    public int GetHashCode(TagSpan alternate) => LabelSet.HashOf(alternate.Tags);

    public LabelSet Create(TagSpan alternate) => LabelSet.Create(alternate.Tags);
}

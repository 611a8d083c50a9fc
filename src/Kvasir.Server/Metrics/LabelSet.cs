using System.Globalization;
using System.Text;

namespace Kvasir.Server.Metrics;

/// <summary>
/// One series' labels: the tags as recorded (sorted by name) and their Prometheus text
/// (<c>a="1",b="x"</c>). Built once per distinct series; a measurement finds its series through
/// <see cref="LabelSetComparer"/> straight from the tag span, without allocating.
/// </summary>
internal sealed class LabelSet
{
    public static readonly LabelSet Empty = new([], 0);

    private LabelSet(KeyValuePair<string, object?>[] tags, int hash)
    {
        Tags = tags;
        Hash = hash;
        var text = new StringBuilder();
        foreach (var (key, value) in tags)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(key).Append("=\"").Append(Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")).Append('"');
        }

        Text = text.ToString();
    }

    public KeyValuePair<string, object?>[] Tags { get; }

    public int Hash { get; }

    public string Text { get; }

    public static LabelSet Create(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var sorted = tags.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new LabelSet(sorted, HashOf(tags));
    }

    /// <summary>The same for any order of the same tags.</summary>
    public static int HashOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var hash = tags.Length;
        foreach (var (key, value) in tags)
        {
            hash += HashCode.Combine(StringComparer.Ordinal.GetHashCode(key), value?.GetHashCode() ?? 0);
        }

        return hash;
    }

    /// <summary>True when <paramref name="tags"/> names the same labels with equal values, in any order.</summary>
    public bool Matches(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length != Tags.Length)
        {
            return false;
        }

        foreach (var (key, value) in tags)
        {
            var found = false;
            foreach (var (ownKey, ownValue) in Tags)
            {
                if (string.Equals(key, ownKey, StringComparison.Ordinal))
                {
                    found = Equals(value, ownValue);
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }

    private static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}

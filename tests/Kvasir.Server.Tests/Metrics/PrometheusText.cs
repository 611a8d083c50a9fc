namespace Kvasir.Server.Tests.Metrics;

/// <summary>
/// What a /metrics page declares, read from Prometheus' text format: each family's type, the label
/// names its samples carry (without <c>le</c>), and the bucket bounds of its histogram samples.
/// </summary>
public sealed class PrometheusText
{
    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, SortedSet<string>> LabelNames { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, SortedSet<double>> Buckets { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, double> Unlabelled { get; } = new(StringComparer.Ordinal);

    /// <summary>Every sample by its name and labels as written (<c>name{a="1",b="2"}</c>).</summary>
    public Dictionary<string, double> Samples { get; } = new(StringComparer.Ordinal);

    public static PrometheusText Parse(string text)
    {
        var page = new PrometheusText();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                page.Types[parts[2]] = parts[3];
                page.LabelNames.TryAdd(parts[2], []);
                continue;
            }

            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var brace = line.IndexOf('{', StringComparison.Ordinal);
            var space = line.LastIndexOf(' ');
            var name = brace >= 0 ? line[..brace] : line[..space];
            var family = page.FamilyOf(name);
            page.Samples[line[..space]] = double.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            if (brace < 0)
            {
                page.Unlabelled[name] = double.Parse(line[(space + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                continue;
            }

            var labels = line[(brace + 1)..line.LastIndexOf('}')];
            foreach (var pair in labels.Split("\","))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var label = pair[..eq];
                if (label == "le")
                {
                    var value = pair[(eq + 2)..].TrimEnd('"');
                    if (value != "+Inf")
                    {
                        if (!page.Buckets.TryGetValue(family, out var set))
                        {
                            page.Buckets[family] = set = [];
                        }

                        set.Add(double.Parse(value, System.Globalization.CultureInfo.InvariantCulture));
                    }
                }
                else
                {
                    page.LabelNames[family].Add(label);
                }
            }
        }

        return page;
    }

    private string FamilyOf(string sample)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && Types.TryGetValue(sample[..^suffix.Length], out var type) && type == "histogram")
            {
                return sample[..^suffix.Length];
            }
        }

        return sample;
    }
}

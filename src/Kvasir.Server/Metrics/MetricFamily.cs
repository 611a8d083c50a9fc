using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Kvasir.Server.Metrics;

/// <summary>
/// One instrument as a Prometheus metric family: its type (counters and observable counters are
/// <c>counter</c>, histograms <c>histogram</c> with the boundaries advised on the instrument,
/// everything else <c>gauge</c>) and its series, one per distinct label set. An untagged
/// measurement goes straight to the one unlabelled series; a tagged one finds its series from the
/// tag span (no allocation once the series exists). As Go's client does, an unlabelled counter or
/// histogram is rendered (at zero) before anything is recorded in it; an instrument that is only ever
/// recorded with tags says so with the instrument tag <see cref="LabelledOnly"/>, and is rendered once it has a series.
/// </summary>
internal sealed class MetricFamily
{
    /// <summary>An instrument tag (not a label) marking an instrument whose measurements always carry tags.</summary>
    public const string LabelledOnly = "kvasir.labelled_only";

    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Instrument _instrument;
    private readonly ConcurrentDictionary<LabelSet, MetricSeries> _series = new(LabelSetComparer.Instance);
    private readonly ConcurrentDictionary<LabelSet, MetricSeries>.AlternateLookup<TagSpan> _byTags;
    private readonly double[] _buckets;
    private readonly bool _histogram;

    // Counters and up-down counters report deltas; observable instruments and gauges report the value itself.
    private readonly bool _accumulates;
    private readonly bool _zeroWhenEmpty;
    private MetricSeries? _unlabelled;

    public MetricFamily(Instrument instrument)
    {
        _instrument = instrument;
        _byTags = _series.GetAlternateLookup<TagSpan>();
        Name = instrument.Name;
        var definition = instrument.GetType().GetGenericTypeDefinition();
        _histogram = definition == typeof(Histogram<>);
        Type = definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>) ? "counter"
            : _histogram ? "histogram"
            : "gauge";
        _buckets = instrument is Histogram<double> h && h.Advice?.HistogramBucketBoundaries is { Count: > 0 } advised
            ? [.. advised]
            : DefaultBuckets;
        _accumulates = definition == typeof(Counter<>) || definition == typeof(UpDownCounter<>);
        _zeroWhenEmpty = (_accumulates || _histogram) && !HasTag(instrument, LabelledOnly);
    }

    public string Name { get; }

    public string Type { get; }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var series = tags.IsEmpty ? Unlabelled() : Series(tags);
        if (_histogram)
        {
            series.Observe(value, _buckets);
        }
        else if (_accumulates)
        {
            series.Add(value);
        }
        else
        {
            series.Set(value);
        }
    }

    public void Render(StringBuilder text)
    {
        if (_series.IsEmpty)
        {
            if (!_zeroWhenEmpty)
            {
                return;
            }

            Unlabelled();
        }

        text.Append("# HELP ").Append(Name).Append(' ').Append(EscapeHelp(_instrument.Description ?? Name)).Append('\n');
        text.Append("# TYPE ").Append(Name).Append(' ').Append(Type).Append('\n');
        var all = _series.Values.ToArray();
        Array.Sort(all, static (a, b) => string.CompareOrdinal(a.Labels.Text, b.Labels.Text));
        foreach (var series in all)
        {
            if (_histogram)
            {
                RenderHistogram(text, series);
            }
            else
            {
                text.Append(Name);
                AppendLabels(text, series.Labels.Text, null);
                text.Append(' ').Append(Format(series.Value)).Append('\n');
            }
        }
    }

    private MetricSeries Unlabelled()
    {
        return Volatile.Read(ref _unlabelled) ?? Create();

        MetricSeries Create()
        {
            var series = _series.GetOrAdd(LabelSet.Empty, static (labels, count) => new MetricSeries(labels, count), _buckets.Length);
            Volatile.Write(ref _unlabelled, series);
            return series;
        }
    }

    private MetricSeries Series(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = new TagSpan(tags);
        if (_byTags.TryGetValue(key, out var series))
        {
            return series;
        }

        var labels = LabelSet.Create(tags);
        return _series.GetOrAdd(labels, static (l, count) => new MetricSeries(l, count), _buckets.Length);
    }

    private void RenderHistogram(StringBuilder text, MetricSeries series)
    {
        var counts = series.Counts();
        var sum = series.Value;
        var labels = series.Labels.Text;
        long cumulative = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            cumulative += counts[i];
            text.Append(Name).Append("_bucket");
            AppendLabels(text, labels, Format(_buckets[i]));
            text.Append(' ').Append(cumulative).Append('\n');
        }

        cumulative += counts[^1];
        text.Append(Name).Append("_bucket");
        AppendLabels(text, labels, "+Inf");
        text.Append(' ').Append(cumulative).Append('\n');
        text.Append(Name).Append("_sum");
        AppendLabels(text, labels, null);
        text.Append(' ').Append(Format(sum)).Append('\n');
        text.Append(Name).Append("_count");
        AppendLabels(text, labels, null);
        text.Append(' ').Append(cumulative).Append('\n');
    }

    private static void AppendLabels(StringBuilder text, string labels, string? le)
    {
        if (labels.Length == 0 && le is null)
        {
            return;
        }

        text.Append('{').Append(labels);
        if (le is not null)
        {
            if (labels.Length > 0)
            {
                text.Append(',');
            }

            text.Append("le=\"").Append(le).Append('"');
        }

        text.Append('}');
    }

    private static bool HasTag(Instrument instrument, string name)
    {
        if (instrument.Tags is { } tags)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == name)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string Format(double value) => GoFloat.Format(value);

    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\").Replace("\n", "\\n");
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Kvasir.Server.Metrics;

/// <summary>
/// Collects the measurements of every instrument of the meters it is given and renders them in
/// Prometheus' text format (version 0.0.4) for <c>/metrics</c>. Instrument names are etcd's metric
/// names (<c>etcd_server_has_leader</c>), so dashboards and alerts built for etcd work unchanged.
/// Counters become <c>counter</c>, up-down counters and observable gauges <c>gauge</c>, histograms
/// <c>histogram</c> with the bucket boundaries given as the instrument's advice.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly MeterListener _listener = new();
    private readonly HashSet<string> _meterNames;
    private readonly ConcurrentDictionary<Instrument, Family> _families = new();

    public PrometheusExporter(params string[] meterNames)
    {
        _meterNames = [.. meterNames];
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_meterNames.Contains(instrument.Meter.Name))
            {
                var family = _families.GetOrAdd(instrument, i => new Family(i));
                listener.EnableMeasurementEvents(instrument, family);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((Family)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Renders every family, observing the observable instruments first.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder(16 * 1024);
        foreach (var family in _families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            family.Render(text);
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private sealed class Family
    {
        private readonly Instrument _instrument;
        private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
        private readonly double[] _buckets;
        private readonly string _type;

        // Counters and up-down counters report deltas; observable instruments and gauges report the value itself.
        private readonly bool _accumulates;

        public Family(Instrument instrument)
        {
            _instrument = instrument;
            Name = instrument.Name;
            var definition = instrument.GetType().GetGenericTypeDefinition();
            _type = definition == typeof(Counter<>) || definition == typeof(ObservableCounter<>) ? "counter"
                : definition == typeof(Histogram<>) ? "histogram"
                : "gauge";
            _buckets = instrument is Histogram<double> h && h.Advice?.HistogramBucketBoundaries is { Count: > 0 } advised
                ? [.. advised]
                : DefaultBuckets;
            _accumulates = definition == typeof(Counter<>) || definition == typeof(UpDownCounter<>);
        }

        public string Name { get; }

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            var series = _series.GetOrAdd(labels, static (_, buckets) => new Series(buckets.Length), _buckets);
            if (_type == "histogram")
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
                return;
            }

            text.Append("# HELP ").Append(Name).Append(' ').Append(Escape(_instrument.Description ?? Name)).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(' ').Append(_type).Append('\n');
            foreach (var (labels, series) in _series.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (_type == "histogram")
                {
                    series.RenderHistogram(text, Name, labels, _buckets);
                }
                else
                {
                    text.Append(Name);
                    AppendLabels(text, labels, null);
                    text.Append(' ').Append(Format(series.Value)).Append('\n');
                }
            }
        }

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                return "";
            }

            var sorted = tags.ToArray();
            Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            var text = new StringBuilder();
            foreach (var (key, value) in sorted)
            {
                if (text.Length > 0)
                {
                    text.Append(',');
                }

                text.Append(key).Append("=\"").Append(EscapeLabel(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")).Append('"');
            }

            return text.ToString();
        }
    }

    private sealed class Series(int bucketCount)
    {
        private readonly Lock _gate = new();
        private readonly long[] _bucketCounts = new long[bucketCount];
        private double _value;
        private long _count;

        public double Value
        {
            get
            {
                lock (_gate)
                {
                    return _value;
                }
            }
        }

        public void Add(double delta)
        {
            lock (_gate)
            {
                _value += delta;
            }
        }

        public void Set(double value)
        {
            lock (_gate)
            {
                _value = value;
            }
        }

        public void Observe(double value, double[] buckets)
        {
            lock (_gate)
            {
                _value += value;
                _count++;
                for (var i = 0; i < buckets.Length; i++)
                {
                    if (value <= buckets[i])
                    {
                        _bucketCounts[i]++;
                        break;
                    }
                }
            }
        }

        public void RenderHistogram(StringBuilder text, string name, string labels, double[] buckets)
        {
            long count;
            double sum;
            var counts = new long[buckets.Length];
            lock (_gate)
            {
                count = _count;
                sum = _value;
                Array.Copy(_bucketCounts, counts, counts.Length);
            }

            long cumulative = 0;
            for (var i = 0; i < buckets.Length; i++)
            {
                cumulative += counts[i];
                text.Append(name).Append("_bucket");
                AppendLabels(text, labels, Format(buckets[i]));
                text.Append(' ').Append(cumulative).Append('\n');
            }

            text.Append(name).Append("_bucket");
            AppendLabels(text, labels, "+Inf");
            text.Append(' ').Append(count).Append('\n');
            text.Append(name).Append("_sum");
            AppendLabels(text, labels, null);
            text.Append(' ').Append(Format(sum)).Append('\n');
            text.Append(name).Append("_count");
            AppendLabels(text, labels, null);
            text.Append(' ').Append(count).Append('\n');
        }
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

    private static string Format(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : double.IsNaN(value) ? "NaN"
        : value.ToString("G17", CultureInfo.InvariantCulture) is var s && s.Contains('E') ? value.ToString("E", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

    private static string Escape(string help) => help.Replace("\\", "\\\\").Replace("\n", "\\n");

    private static string EscapeLabel(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}

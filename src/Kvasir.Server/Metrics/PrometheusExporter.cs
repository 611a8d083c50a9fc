using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Kvasir.Server.Metrics;

/// <summary>
/// Collects the measurements of every instrument of the meters it is given and renders them in
/// Prometheus' text format (version 0.0.4) for <c>/metrics</c>. Instrument names are etcd's metric
/// names (<c>etcd_server_has_leader</c>), so dashboards and alerts built for etcd work unchanged.
/// Recording is lock-free and, once a series exists, allocation-free (see <see cref="MetricFamily"/>);
/// hot paths still prefer plain counters observed at scrape time.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly HashSet<string> _meterNames;
    private readonly ConcurrentDictionary<Instrument, MetricFamily> _families = new();

    public PrometheusExporter(params string[] meterNames)
    {
        _meterNames = [.. meterNames];
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (_meterNames.Contains(instrument.Meter.Name))
            {
                var family = _families.GetOrAdd(instrument, static i => new MetricFamily(i));
                listener.EnableMeasurementEvents(instrument, family);
            }
        };
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.Start();
    }

    /// <summary>Renders every family, observing the observable instruments first.</summary>
    public string Render()
    {
        _listener.RecordObservableInstruments();
        var families = _families.Values.ToArray();
        Array.Sort(families, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        var text = new StringBuilder(32 * 1024);
        foreach (var family in families)
        {
            family.Render(text);
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();
}

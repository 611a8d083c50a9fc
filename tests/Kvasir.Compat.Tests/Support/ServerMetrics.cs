using System.Globalization;

namespace Kvasir.Compat.Tests.Support;

/// <summary>
/// Reads gauges from a member's <c>/metrics</c> (Prometheus text): both etcd and kvasir export
/// <c>etcd_debugging_mvcc_watcher_total</c>, which tells a test when a background etcdctl's watchers
/// are registered, so its writes are not made before the watch exists.
/// </summary>
public static class ServerMetrics
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>The value of an unlabelled gauge, or -1 when the member does not export it.</summary>
    public static async Task<double> GaugeAsync(string clientUrl, string name, CancellationToken cancellationToken = default)
    {
        var text = await Http.GetStringAsync($"{clientUrl}/metrics", cancellationToken).ConfigureAwait(false);
        var prefix = name + " ";
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return double.Parse(line.AsSpan(prefix.Length), NumberStyles.Float, CultureInfo.InvariantCulture);
            }
        }

        return -1;
    }

    /// <summary>The number of watchers the member holds, on all streams.</summary>
    public static async Task<int> WatchersAsync(string clientUrl, CancellationToken cancellationToken = default) =>
        (int)await GaugeAsync(clientUrl, "etcd_debugging_mvcc_watcher_total", cancellationToken).ConfigureAwait(false);
}

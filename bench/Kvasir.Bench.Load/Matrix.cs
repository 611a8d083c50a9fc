namespace Kvasir.Bench.Load;

/// <summary>
/// The standard rows, shaped like etcd's documented benchmark runs and shared/bench's run-load.sh:
/// 8-byte keys, 256-byte values; puts at 1, 16 and 256 clients on one connection and at 100
/// connections / 1,000 clients; one-key ranges, linearizable and serializable, at 1/1 and 100/1,000;
/// watch latency (100 watchers, 200 puts/s) and fan-out (1,000 watchers on 10 streams, puts as fast
/// as 4 connections go). <c>scale</c> multiplies every total.
/// </summary>
internal static class Matrix
{
    /// <summary>The groups <c>--matrix</c> takes; <c>put1</c> is the put row at one connection and one client alone.</summary>
    public static readonly string[] Groups = ["put", "range", "watch", "put1"];

    /// <summary>The groups run when <c>--matrix</c> is not given.</summary>
    public static readonly string[] DefaultGroups = ["put", "range", "watch"];

    public static List<LoadRow> Rows(IReadOnlyCollection<string> groups, double scale)
    {
        var rows = new List<LoadRow>();
        if (groups.Contains("put") || groups.Contains("put1"))
        {
            rows.Add(new PutRow(1, 1, Scaled(10_000, scale)));
        }

        if (groups.Contains("put"))
        {
            rows.Add(new PutRow(1, 16, Scaled(50_000, scale)));
            rows.Add(new PutRow(1, 256, Scaled(100_000, scale)));
            rows.Add(new PutRow(100, 1000, Scaled(100_000, scale)));
        }

        if (groups.Contains("range"))
        {
            rows.Add(new RangeRow(serializable: false, 1, 1, Scaled(10_000, scale)));
            rows.Add(new RangeRow(serializable: true, 1, 1, Scaled(10_000, scale)));
            rows.Add(new RangeRow(serializable: false, 100, 1000, Scaled(100_000, scale)));
            rows.Add(new RangeRow(serializable: true, 100, 1000, Scaled(100_000, scale)));
        }

        if (groups.Contains("watch"))
        {
            rows.Add(new WatchRow("watch-latency", conns: 10, watchers: 100, puts: (int)Scaled(2_000, scale), rate: 200, putters: 1));
            rows.Add(new WatchRow("watch-fanout", conns: 10, watchers: 1000, puts: (int)Scaled(2_000, scale), rate: 0, putters: 4));
        }

        return rows;
    }

    private static long Scaled(long total, double scale) => Math.Max(1, (long)Math.Round(total * scale));
}

using System.Globalization;
using System.Net;

namespace Kvasir.Server.Config;

public sealed partial record MemberConfig
{
    private static readonly string[] LogLevels = ["debug", "info", "warn", "error", "dpanic", "panic", "fatal"];

    /// <summary>
    /// Checks the rules that tie flags together, with etcd's messages where etcd has one. Throws
    /// <see cref="ConfigException"/> on the first broken rule; returns warnings worth logging.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        CheckBindUrls(ListenPeerUrls);
        CheckBindUrls(ListenClientUrls);
        CheckBindUrls(ListenClientHttpUrls);
        CheckBindUrls(ListenMetricsUrls);
        CheckHostUrls("--initial-advertise-peer-urls", InitialAdvertisePeerUrls);
        CheckHostUrls("--advertise-client-urls", AdvertiseClientUrls);

        if (InitialClusterState is not ("new" or "existing"))
        {
            throw new ConfigException($"unexpected clusterState \"{InitialClusterState}\"");
        }

        if (HeartbeatMs <= 0)
        {
            throw new ConfigException($"--heartbeat-interval must be >0 (set to {HeartbeatMs}ms)");
        }

        if (ElectionMs <= 0)
        {
            throw new ConfigException($"--election-timeout must be >0 (set to {ElectionMs}ms)");
        }

        if (5 * HeartbeatMs > ElectionMs)
        {
            throw new ConfigException($"--election-timeout[{ElectionMs}ms] should be at least as 5 times as --heartbeat-interval[{HeartbeatMs}ms]");
        }

        if (ElectionMs > MaxElectionMs)
        {
            throw new ConfigException($"--election-timeout[{ElectionMs}ms] is too long, and should be set less than {MaxElectionMs}ms");
        }

        if (ListenClientUrls.Count > 0 && AdvertiseClientUrls.Count == 0)
        {
            throw new ConfigException("--advertise-client-urls is required when --listen-client-urls is set explicitly");
        }

        if (AutoCompactionMode is not ("periodic" or "revision"))
        {
            throw new ConfigException($"unknown auto-compaction-mode \"{AutoCompactionMode}\"");
        }

        _ = CompactionRetention();

        if (EnableLeaseCheckpointPersist && !EnableLeaseCheckpoint)
        {
            throw new ConfigException("setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint");
        }

        if (!LogLevels.Contains(LogLevel))
        {
            throw new ConfigException($"unknown log level \"{LogLevel}\" (want one of {string.Join(", ", LogLevels)})");
        }

        if (LogFormat is not ("json" or "console"))
        {
            throw new ConfigException($"unknown log format \"{LogFormat}\" (want json or console)");
        }

        if (Metrics is not ("basic" or "extensive"))
        {
            throw new ConfigException($"unknown metrics level \"{Metrics}\" (want basic or extensive)");
        }

        if (MaxRequestBytes == 0 || MaxRequestBytes > int.MaxValue / 2)
        {
            throw new ConfigException($"--max-request-bytes must be between 1 and {int.MaxValue / 2} (set to {MaxRequestBytes})");
        }

        if (WalSegmentBytes < 4096 || WalSegmentBytes % 8 != 0 || WalSegmentBytes > (1UL << 40))
        {
            throw new ConfigException($"--wal-segment-bytes must be a multiple of 8 between 4096 and 1 TiB (set to {WalSegmentBytes})");
        }

        if (MaxTxnOps == 0)
        {
            throw new ConfigException("--max-txn-ops must be >0 (set to 0)");
        }

        if (BcryptCost is < 4 or > 31)
        {
            throw new ConfigException($"--bcrypt-cost must be between 4 and 31 (set to {BcryptCost})");
        }

        CheckTls("client", ClientTls, "--cert-file", "--key-file");
        CheckTls("peer", PeerTls, "--peer-cert-file", "--peer-key-file");
        _ = InitialClusterMap();

        var warnings = new List<string>();
        if (QuotaBackendBytes > 8L * 1024 * 1024 * 1024)
        {
            warnings.Add($"quota-backend-bytes {QuotaBackendBytes} exceeds the suggested maximum of 8 GiB");
        }

        return warnings;
    }

    /// <summary>
    /// The auto-compaction retention: for "periodic", a duration (a bare number means hours); for
    /// "revision", a number of revisions (returned as ticks). Zero means off.
    /// </summary>
    public (TimeSpan Period, long Revisions) CompactionRetention()
    {
        if (long.TryParse(AutoCompactionRetention, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return AutoCompactionMode == "revision" ? (TimeSpan.Zero, n) : (TimeSpan.FromHours(n), 0);
        }

        if (AutoCompactionMode == "periodic" && GoDuration.TryParse(AutoCompactionRetention, out var d) && d >= TimeSpan.Zero)
        {
            return (d, 0);
        }

        throw new ConfigException($"error parsing CompactionRetention: invalid auto-compaction-retention \"{AutoCompactionRetention}\" for mode {AutoCompactionMode}");
    }

    /// <summary>
    /// <c>--initial-cluster</c> as member name → peer URLs ("a=http://h1:2380,a=http://h2:2380,b=...").
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Uri>> InitialClusterMap()
    {
        var map = new Dictionary<string, List<Uri>>(StringComparer.Ordinal);
        foreach (var item in InitialCluster.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = item.IndexOf('=');
            if (eq <= 0 || !Uri.TryCreate(item[(eq + 1)..], UriKind.Absolute, out var url) || url.Host.Length == 0)
            {
                throw new ConfigException($"invalid --initial-cluster entry \"{item}\": want name=scheme://host:port");
            }

            var name = item[..eq];
            if (!map.TryGetValue(name, out var urls))
            {
                map[name] = urls = [];
            }

            urls.Add(url);
        }

        return map.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<Uri>)kv.Value, StringComparer.Ordinal);
    }

    /// <summary>
    /// Bootstrap rules for a member with no data yet: the initial cluster names this member, with
    /// exactly its advertised peer URLs, and no URL twice.
    /// </summary>
    public void ValidateBootstrap()
    {
        var map = InitialClusterMap();
        if (!map.TryGetValue(Name, out var own))
        {
            throw new ConfigException($"couldn't find local name \"{Name}\" in the initial cluster configuration");
        }

        var all = map.Values.SelectMany(u => u).Select(u => u.ToString()).ToList();
        if (all.Count != all.Distinct(StringComparer.Ordinal).Count())
        {
            throw new ConfigException($"initial cluster {InitialCluster} has duplicate url");
        }

        var advertised = InitialAdvertisePeerUrls.Select(u => u.ToString()).Order(StringComparer.Ordinal).ToArray();
        var listed = own.Select(u => u.ToString()).Order(StringComparer.Ordinal).ToArray();
        var missing = listed.Except(advertised).ToArray();
        if (missing.Length > 0)
        {
            throw new ConfigException($"--initial-cluster has {string.Join(",", missing.Select(m => Name + "=" + m))} but missing from --initial-advertise-peer-urls={string.Join(",", advertised)}");
        }

        var extra = advertised.Except(listed).ToArray();
        if (extra.Length > 0)
        {
            throw new ConfigException($"--initial-advertise-peer-urls has {string.Join(",", extra)} but missing from --initial-cluster={InitialCluster}");
        }
    }

    private static void CheckBindUrls(IReadOnlyList<Uri> urls)
    {
        foreach (var url in urls)
        {
            if (url.Scheme is "unix" or "unixs")
            {
                continue;
            }

            if (url.IsDefaultPort && !url.OriginalString.Contains(":" + url.Port, StringComparison.Ordinal))
            {
                throw new ConfigException($"address {url.Authority}: missing port in address");
            }

            if (url.Host != "localhost" && !IPAddress.TryParse(url.Host.Trim('[', ']'), out _))
            {
                throw new ConfigException($"expected IP in URL for binding ({url.OriginalString})");
            }
        }
    }

    private static void CheckHostUrls(string flag, IReadOnlyList<Uri> urls)
    {
        foreach (var url in urls)
        {
            if (url.Host.Length == 0)
            {
                throw new ConfigException($"{flag} \"{string.Join(",", urls.Select(u => u.OriginalString))}\" must be \"host:port\" (unexpected empty host ({url.OriginalString}))");
            }
        }
    }

    private static void CheckTls(string side, TlsSettings tls, string certFlag, string keyFlag)
    {
        if ((tls.CertFile.Length > 0) != (tls.KeyFile.Length > 0))
        {
            throw new ConfigException($"{side} TLS needs both {certFlag} and {keyFlag}");
        }

        foreach (var file in new[] { tls.CertFile, tls.KeyFile, tls.TrustedCaFile, tls.CrlFile })
        {
            if (file.Length > 0 && !File.Exists(file))
            {
                throw new ConfigException($"{side} TLS file \"{file}\" does not exist");
            }
        }
    }
}

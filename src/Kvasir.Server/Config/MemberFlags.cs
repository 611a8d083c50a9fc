namespace Kvasir.Server.Config;

/// <summary>
/// Every flag <c>kvasir</c> accepts: etcd 3.4's flags with etcd's names and defaults, the 3.5/3.6
/// spellings as aliases, and the few Kvasir adds. Flags for features Kvasir does not have (the v2
/// API, the v2 proxy, discovery) are accepted and ignored with a warning, so that an etcd
/// deployment's scripts start Kvasir unchanged.
/// </summary>
public static class MemberFlags
{
    private const string Member = "Member";
    private const string Clustering = "Clustering";
    private const string Security = "Security";
    private const string Auth = "Auth";
    private const string Monitoring = "Profiling and Monitoring";
    private const string Logging = "Logging";
    private const string Experimental = "Experimental";
    private const string Unsafe = "Unsafe";

    public static IReadOnlyList<FlagSpec> All { get; } =
    [
        new("config-file", FlagType.String, "", "Path to the server configuration file (YAML, etcd's keys). When given, other flags and environment variables are ignored.", Member),
        new("version", FlagType.Bool, "false", "Print the version and exit.", Member),

        new("name", FlagType.String, "default", "Human-readable name for this member.", Member),
        new("data-dir", FlagType.String, "${name}.kvasir", "Path to the data directory.", Member),
        new("wal-dir", FlagType.String, "", "Path to the dedicated wal directory.", Member),
        new("snapshot-count", FlagType.UInt, "100000", "Number of committed transactions to trigger a snapshot to disk.", Member),
        new("heartbeat-interval", FlagType.UInt, "100", "Time (in milliseconds) of a heartbeat interval.", Member),
        new("election-timeout", FlagType.UInt, "1000", "Time (in milliseconds) for an election to timeout.", Member),
        new("initial-election-tick-advance", FlagType.Bool, "true", "Whether to fast-forward initial election ticks on boot for faster election.", Member),
        new("listen-peer-urls", FlagType.Urls, "http://localhost:2380", "List of URLs to listen on for peer traffic.", Member),
        new("listen-client-urls", FlagType.Urls, "http://localhost:2379", "List of URLs to listen on for client traffic.", Member),
        new("listen-client-http-urls", FlagType.Urls, "", "List of URLs to listen on for HTTP traffic only (gateway, health, metrics), moving it off the gRPC port.", Member),
        new("max-snapshots", FlagType.UInt, "5", "Maximum number of snapshot files to retain (0 is unlimited).", Member),
        new("max-wals", FlagType.UInt, "5", "Maximum number of wal files to retain (0 is unlimited).", Member),
        new("quota-backend-bytes", FlagType.Int, "0", "Raise alarms when backend size exceeds the given quota (0 defaults to 2 GiB).", Member),
        new("backend-batch-interval", FlagType.Duration, "0s", "The maximum time before committing the backend transaction (0 means the default).", Member),
        new("backend-batch-limit", FlagType.Int, "0", "The maximum operations before committing the backend transaction (0 means the default).", Member),
        new("max-txn-ops", FlagType.UInt, "128", "Maximum number of operations permitted in a transaction.", Member),
        new("max-request-bytes", FlagType.UInt, "1572864", "Maximum client request size in bytes the server will accept.", Member),
        new("max-concurrent-streams", FlagType.UInt, "math.MaxUint32", "Maximum concurrent streams that each client can open at a time.", Member),
        new("grpc-keepalive-min-time", FlagType.Duration, "5s", "Minimum duration interval that a client should wait before pinging server.", Member),
        new("grpc-keepalive-interval", FlagType.Duration, "2h0m0s", "Frequency duration of server-to-client ping to check if a connection is alive (0 to disable).", Member),
        new("grpc-keepalive-timeout", FlagType.Duration, "20s", "Additional duration of wait before closing a non-responsive connection (0 to disable).", Member),

        new("initial-advertise-peer-urls", FlagType.Urls, "http://localhost:2380", "List of this member's peer URLs to advertise to the rest of the cluster.", Clustering),
        new("initial-cluster", FlagType.String, "default=http://localhost:2380", "Initial cluster configuration for bootstrapping.", Clustering),
        new("initial-cluster-state", FlagType.String, "new", "Initial cluster state ('new' or 'existing').", Clustering),
        new("initial-cluster-token", FlagType.String, "etcd-cluster", "Initial cluster token for the cluster during bootstrap.", Clustering),
        new("advertise-client-urls", FlagType.Urls, "http://localhost:2379", "List of this member's client URLs to advertise to the public.", Clustering),
        new("strict-reconfig-check", FlagType.Bool, "true", "Reject reconfiguration requests that would cause quorum loss.", Clustering),
        new("pre-vote", FlagType.Bool, "true", "Enable to run an additional Raft election phase.", Clustering),
        new("auto-compaction-retention", FlagType.String, "0", "Auto compaction retention length. 0 means disable auto compaction.", Clustering),
        new("auto-compaction-mode", FlagType.String, "periodic", "Interpret 'auto-compaction-retention' one of: periodic|revision. 'periodic' for duration based retention, defaulting to hours if no time unit is provided (e.g. '5m'). 'revision' for revision number based retention.", Clustering),
        new("discovery", FlagType.String, "", "Discovery URL used to bootstrap the cluster (not supported by Kvasir).", Clustering, Ignored: true),
        new("discovery-fallback", FlagType.String, "proxy", "Expected behavior ('exit' or 'proxy') when discovery services fails (not supported by Kvasir).", Clustering, Ignored: true),
        new("discovery-proxy", FlagType.String, "", "HTTP proxy to use for traffic to discovery service (not supported by Kvasir).", Clustering, Ignored: true),
        new("discovery-srv", FlagType.String, "", "DNS srv domain used to bootstrap the cluster (not supported by Kvasir).", Clustering, Ignored: true),
        new("discovery-srv-name", FlagType.String, "", "Suffix to the dns srv name queried when bootstrapping (not supported by Kvasir).", Clustering, Ignored: true),
        new("enable-v2", FlagType.Bool, "false", "Accept etcd V2 client requests (not supported by Kvasir).", Clustering, Ignored: true),
        new("proxy", FlagType.String, "off", "Proxy mode setting (v2 only; not supported by Kvasir).", Clustering, Ignored: true),
        new("proxy-failure-wait", FlagType.UInt, "5000", "v2 proxy setting (not supported by Kvasir).", Clustering, Ignored: true),
        new("proxy-refresh-interval", FlagType.UInt, "30000", "v2 proxy setting (not supported by Kvasir).", Clustering, Ignored: true),
        new("proxy-dial-timeout", FlagType.UInt, "1000", "v2 proxy setting (not supported by Kvasir).", Clustering, Ignored: true),
        new("proxy-write-timeout", FlagType.UInt, "5000", "v2 proxy setting (not supported by Kvasir).", Clustering, Ignored: true),
        new("proxy-read-timeout", FlagType.UInt, "0", "v2 proxy setting (not supported by Kvasir).", Clustering, Ignored: true),

        new("cert-file", FlagType.String, "", "Path to the client server TLS cert file.", Security),
        new("key-file", FlagType.String, "", "Path to the client server TLS key file.", Security),
        new("client-cert-auth", FlagType.Bool, "false", "Enable client cert authentication.", Security),
        new("client-crl-file", FlagType.String, "", "Path to the client certificate revocation list file.", Security),
        new("client-cert-allowed-hostname", FlagType.String, "", "Allowed TLS hostname for client cert authentication.", Security),
        new("trusted-ca-file", FlagType.String, "", "Path to the client server TLS trusted CA cert file.", Security),
        new("auto-tls", FlagType.Bool, "false", "Client TLS using generated certificates.", Security),
        new("peer-cert-file", FlagType.String, "", "Path to the peer server TLS cert file.", Security),
        new("peer-key-file", FlagType.String, "", "Path to the peer server TLS key file.", Security),
        new("peer-client-cert-auth", FlagType.Bool, "false", "Enable peer client cert authentication.", Security),
        new("peer-trusted-ca-file", FlagType.String, "", "Path to the peer server TLS trusted CA file.", Security),
        new("peer-auto-tls", FlagType.Bool, "false", "Peer TLS using self-generated certificates if --peer-key-file and --peer-cert-file are not provided.", Security),
        new("peer-crl-file", FlagType.String, "", "Path to the peer certificate revocation list file.", Security),
        new("peer-cert-allowed-cn", FlagType.String, "", "Required CN for client certs connecting to the peer endpoint.", Security),
        new("peer-cert-allowed-hostname", FlagType.String, "", "Allowed TLS hostname for inter peer authentication.", Security),
        new("peer-skip-client-san-verification", FlagType.Bool, "false", "Skip verification of SAN field in client certificate for peer connections.", Security, ["experimental-peer-skip-client-san-verification"]),
        new("client-cert-file", FlagType.String, "", "Path to the cert the member uses as a client (gateway).", Security),
        new("client-key-file", FlagType.String, "", "Path to the key the member uses as a client (gateway).", Security),
        new("peer-client-cert-file", FlagType.String, "", "Path to the cert the member uses as a client to its peers.", Security),
        new("peer-client-key-file", FlagType.String, "", "Path to the key the member uses as a client to its peers.", Security),
        new("self-signed-cert-validity", FlagType.UInt, "1", "The validity period in years of the certificates generated with --auto-tls or --peer-auto-tls.", Security),
        new("cipher-suites", FlagType.List, "", "Comma-separated list of supported TLS cipher suites between client/server and peers (empty means the platform's).", Security),
        new("tls-min-version", FlagType.String, "TLS1.2", "Minimum TLS version supported: TLS1.2 or TLS1.3.", Security),
        new("tls-max-version", FlagType.String, "", "Maximum TLS version supported: TLS1.2 or TLS1.3 (empty means the highest).", Security),
        new("cors", FlagType.List, "*", "Comma-separated whitelist of origins for CORS, or cross-origin resource sharing, (empty or * means allow all).", Security),
        new("host-whitelist", FlagType.List, "*", "Acceptable hostnames from HTTP client requests, if server is not secure (empty or * means allow all).", Security),

        new("auth-token", FlagType.String, "simple", "Specify a v3 authentication token type and its options ('simple' or 'jwt').", Auth),
        new("bcrypt-cost", FlagType.UInt, "10", "Specify the cost / strength of the bcrypt algorithm for hashing auth passwords. Valid values are between 4 and 31.", Auth),
        new("auth-token-ttl", FlagType.UInt, "300", "Time (in seconds) of the auth-token-ttl.", Auth),

        new("enable-pprof", FlagType.Bool, "false", "Enable runtime profiling data via HTTP server (accepted; Kvasir serves no Go profiles).", Monitoring),
        new("metrics", FlagType.String, "basic", "Set level of detail for exported metrics, specify 'extensive' to include histogram metrics.", Monitoring),
        new("listen-metrics-urls", FlagType.Urls, "", "List of URLs to listen on for the metrics and health endpoints.", Monitoring),
        new("enable-grpc-gateway", FlagType.Bool, "true", "Enable GRPC gateway.", Monitoring),

        new("logger", FlagType.String, "zap", "Accepted for compatibility: Kvasir has one structured logger ('zap' and 'capnslog' mean the same).", Logging),
        new("log-outputs", FlagType.List, "default", "Specify 'stdout' or 'stderr' to skip journald logging even when running under systemd, or list of comma separated output targets.", Logging, ["log-output"]),
        new("log-level", FlagType.String, "info", "Configures log level. Only supports debug, info, warn, error, panic, or fatal.", Logging),
        new("log-format", FlagType.String, "json", "Configures log format. Only supports json, console.", Logging),
        new("debug", FlagType.Bool, "false", "Enable debug-level logging (same as --log-level=debug).", Logging),
        new("log-package-levels", FlagType.String, "", "Accepted for compatibility with etcd 3.4; ignored.", Logging, Ignored: true),

        new("initial-corrupt-check", FlagType.Bool, "false", "Enable to check data corruption before serving any client/peer traffic.", Experimental, ["experimental-initial-corrupt-check"]),
        new("corrupt-check-time", FlagType.Duration, "0s", "Duration of time between cluster corruption check passes.", Experimental, ["experimental-corrupt-check-time"]),
        new("enable-lease-checkpoint", FlagType.Bool, "true", "Enable the leader to send regular checkpoints to other members to prevent reset of remaining TTL on leader change.", Experimental, ["experimental-enable-lease-checkpoint"]),
        new("enable-lease-checkpoint-persist", FlagType.Bool, "true", "Enable persisting remainingTTL to prevent indefinite auto-renewal of long lived leases.", Experimental, ["experimental-enable-lease-checkpoint-persist"]),
        new("compaction-batch-limit", FlagType.Int, "1000", "Sets the maximum revisions deleted in each compaction batch.", Experimental, ["experimental-compaction-batch-limit"]),
        new("compaction-sleep-interval", FlagType.Duration, "10ms", "Sets the sleep interval between each compaction batch.", Experimental, ["experimental-compaction-sleep-interval"]),
        new("watch-progress-notify-interval", FlagType.Duration, "10m0s", "Duration of periodic watch progress notifications.", Experimental, ["experimental-watch-progress-notify-interval"]),
        new("warning-apply-duration", FlagType.Duration, "100ms", "Time duration after which a warning is generated if request takes more time.", Experimental, ["experimental-warning-apply-duration"]),
        new("warning-unary-request-duration", FlagType.Duration, "300ms", "Time duration after which a warning is generated if a unary request takes more time.", Experimental, ["experimental-warning-unary-request-duration"]),
        new("backend-bbolt-freelist-type", FlagType.String, "map", "Accepted for compatibility; Kvasir's backend has no bbolt freelist.", Experimental, ["experimental-backend-bbolt-freelist-type"], Ignored: true),
        new("enable-v2v3", FlagType.String, "", "v2 emulation (not supported by Kvasir).", Experimental, ["experimental-enable-v2v3"], Ignored: true),
        new("wal-segment-bytes", FlagType.UInt, "67108864", "Kvasir: the size a WAL segment file is preallocated to and cut at (etcd's is fixed at 64 MiB); a multiple of 8, at least 4096.", Experimental),
        new("snapshot-catchup-entries", FlagType.UInt, "5000", "Number of entries for a slow follower to catch up after compacting the raft storage entries.", Experimental, ["experimental-snapshot-catchup-entries"]),

        new("unsafe-no-fsync", FlagType.Bool, "false", "Disables fsync, unsafe, will cause data loss.", Unsafe),
        new("force-new-cluster", FlagType.Bool, "false", "Force to create a new one member cluster.", Unsafe),
    ];
}

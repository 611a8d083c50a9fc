namespace Kvasir.Server.Config;

/// <summary>
/// Everything one member is configured with, typed and validated. Built by <see cref="ConfigLoader"/>
/// from flags, the environment or a YAML file; read-only afterwards.
/// </summary>
public sealed partial record MemberConfig
{
    /// <summary>etcd's cap on the election timeout.</summary>
    public const long MaxElectionMs = 50_000;

    /// <summary>The default backend quota when <c>--quota-backend-bytes</c> is 0: 2 GiB.</summary>
    public const long DefaultQuotaBytes = 2L * 1024 * 1024 * 1024;

    public required string Name { get; init; }
    public required string DataDir { get; init; }
    public required string WalDir { get; init; }
    public required ulong SnapshotCount { get; init; }
    public required ulong SnapshotCatchUpEntries { get; init; }
    public required long HeartbeatMs { get; init; }
    public required long ElectionMs { get; init; }
    public required bool InitialElectionTickAdvance { get; init; }
    public required IReadOnlyList<Uri> ListenPeerUrls { get; init; }
    public required IReadOnlyList<Uri> ListenClientUrls { get; init; }
    public required IReadOnlyList<Uri> ListenClientHttpUrls { get; init; }
    public required IReadOnlyList<Uri> ListenMetricsUrls { get; init; }
    public required IReadOnlyList<Uri> AdvertiseClientUrls { get; init; }
    public required IReadOnlyList<Uri> InitialAdvertisePeerUrls { get; init; }
    public required string InitialCluster { get; init; }
    public required string InitialClusterState { get; init; }
    public required string InitialClusterToken { get; init; }
    public required ulong MaxSnapshots { get; init; }
    public required ulong MaxWals { get; init; }
    public required ulong WalSegmentBytes { get; init; }
    public required long QuotaBackendBytes { get; init; }
    public required TimeSpan BackendBatchInterval { get; init; }
    public required long BackendBatchLimit { get; init; }
    public required ulong MaxTxnOps { get; init; }
    public required ulong MaxRequestBytes { get; init; }
    public required ulong MaxConcurrentStreams { get; init; }
    public required TimeSpan GrpcKeepaliveMinTime { get; init; }
    public required TimeSpan GrpcKeepaliveInterval { get; init; }
    public required TimeSpan GrpcKeepaliveTimeout { get; init; }
    public required bool StrictReconfigCheck { get; init; }
    public required bool PreVote { get; init; }
    public required string AutoCompactionMode { get; init; }
    public required string AutoCompactionRetention { get; init; }
    public required TlsSettings ClientTls { get; init; }
    public required TlsSettings PeerTls { get; init; }
    public required IReadOnlyList<string> CipherSuites { get; init; }
    public required string TlsMinVersion { get; init; }
    public required string TlsMaxVersion { get; init; }
    public required IReadOnlyList<string> Cors { get; init; }
    public required IReadOnlyList<string> HostWhitelist { get; init; }
    public required string AuthToken { get; init; }
    public required ulong BcryptCost { get; init; }
    public required ulong AuthTokenTtlSeconds { get; init; }
    public required string Metrics { get; init; }
    public required bool EnableGrpcGateway { get; init; }
    public required string LogLevel { get; init; }
    public required string LogFormat { get; init; }
    public required IReadOnlyList<string> LogOutputs { get; init; }
    public required bool InitialCorruptCheck { get; init; }
    public required TimeSpan CorruptCheckTime { get; init; }
    public required bool EnableLeaseCheckpoint { get; init; }
    public required bool EnableLeaseCheckpointPersist { get; init; }
    public required long CompactionBatchLimit { get; init; }
    public required TimeSpan CompactionSleepInterval { get; init; }
    public required TimeSpan WatchProgressNotifyInterval { get; init; }
    public required TimeSpan WarningApplyDuration { get; init; }
    public required TimeSpan WarningUnaryRequestDuration { get; init; }
    public required bool UnsafeNoFsync { get; init; }
    public required bool ForceNewCluster { get; init; }

    /// <summary>The quota in force: <see cref="QuotaBackendBytes"/>, or 2 GiB when it is 0 or less.</summary>
    public long EffectiveQuotaBytes => QuotaBackendBytes > 0 ? QuotaBackendBytes : DefaultQuotaBytes;

    /// <summary>Raft ticks between heartbeats (one tick is one heartbeat interval).</summary>
    public int HeartbeatTicks => 1;

    /// <summary>Raft ticks before an election: election timeout over heartbeat interval.</summary>
    public int ElectionTicks => (int)(ElectionMs / HeartbeatMs);

    /// <summary>Where the WAL lives: <see cref="WalDir"/>, or <c>member/wal</c> under the data directory.</summary>
    public string EffectiveWalDir => WalDir.Length > 0 ? WalDir : Path.Combine(DataDir, "member", "wal");

    /// <summary>The minimum lease TTL: ceil(1.5 × election timeout) in seconds, as etcd computes it.</summary>
    public long MinLeaseTtlSeconds => (long)Math.Ceiling(3 * ElectionMs / 2000.0);

    /// <summary>
    /// How long a proposal waits to be applied before it fails with <c>request timed out</c>: etcd's
    /// ReqTimeout, 5 s plus twice the election timeout.
    /// </summary>
    public TimeSpan RequestTimeout => TimeSpan.FromSeconds(5) + TimeSpan.FromMilliseconds(2 * ElectionMs);

    /// <summary>Where the Raft snapshot files and the backend live: <c>member/snap</c> under the data directory.</summary>
    public string SnapDir => Path.Combine(DataDir, "member", "snap");

    /// <summary>The MVCC backend file: <c>member/snap/db</c>, as etcd's.</summary>
    public string BackendPath => Path.Combine(SnapDir, "db");

    /// <summary>Reads the flags into a config. Values are known to parse; cross-field rules are checked by <see cref="Validate"/>.</summary>
    public static MemberConfig From(FlagValues f)
    {
        var name = f.GetString("name");
        var dataDir = f.GetString("data-dir");
        if (dataDir == "${name}.kvasir")
        {
            dataDir = name + ".kvasir";
        }

        var listenClient = f.GetUrls("listen-client-urls");

        // etcd drops the default advertise URL when listen URLs are given without one: the
        // default would advertise localhost for a member that listens elsewhere.
        var advertiseClient = f.IsSet("listen-client-urls") && !f.IsSet("advertise-client-urls") ? [] : f.GetUrls("advertise-client-urls");

        return new MemberConfig
        {
            Name = name,
            DataDir = dataDir,
            WalDir = f.GetString("wal-dir"),
            SnapshotCount = f.GetUInt("snapshot-count"),
            SnapshotCatchUpEntries = f.GetUInt("snapshot-catchup-entries"),
            HeartbeatMs = (long)f.GetUInt("heartbeat-interval"),
            ElectionMs = (long)f.GetUInt("election-timeout"),
            InitialElectionTickAdvance = f.GetBool("initial-election-tick-advance"),
            ListenPeerUrls = f.GetUrls("listen-peer-urls"),
            ListenClientUrls = listenClient,
            ListenClientHttpUrls = f.GetUrls("listen-client-http-urls"),
            ListenMetricsUrls = f.GetUrls("listen-metrics-urls"),
            AdvertiseClientUrls = advertiseClient,
            InitialAdvertisePeerUrls = f.GetUrls("initial-advertise-peer-urls"),
            InitialCluster = f.GetString("initial-cluster"),
            InitialClusterState = f.GetString("initial-cluster-state"),
            InitialClusterToken = f.GetString("initial-cluster-token"),
            MaxSnapshots = f.GetUInt("max-snapshots"),
            MaxWals = f.GetUInt("max-wals"),
            WalSegmentBytes = f.GetUInt("wal-segment-bytes"),
            QuotaBackendBytes = f.GetInt("quota-backend-bytes"),
            BackendBatchInterval = f.GetDuration("backend-batch-interval"),
            BackendBatchLimit = f.GetInt("backend-batch-limit"),
            MaxTxnOps = f.GetUInt("max-txn-ops"),
            MaxRequestBytes = f.GetUInt("max-request-bytes"),
            MaxConcurrentStreams = f.GetUInt("max-concurrent-streams"),
            GrpcKeepaliveMinTime = f.GetDuration("grpc-keepalive-min-time"),
            GrpcKeepaliveInterval = f.GetDuration("grpc-keepalive-interval"),
            GrpcKeepaliveTimeout = f.GetDuration("grpc-keepalive-timeout"),
            StrictReconfigCheck = f.GetBool("strict-reconfig-check"),
            PreVote = f.GetBool("pre-vote"),
            AutoCompactionMode = f.GetString("auto-compaction-mode"),
            AutoCompactionRetention = f.GetString("auto-compaction-retention"),
            ClientTls = new TlsSettings(
                f.GetString("cert-file"), f.GetString("key-file"), f.GetString("trusted-ca-file"), f.GetBool("client-cert-auth"),
                f.GetBool("auto-tls"), f.GetString("client-crl-file"), "", f.GetString("client-cert-allowed-hostname")),
            PeerTls = new TlsSettings(
                f.GetString("peer-cert-file"), f.GetString("peer-key-file"), f.GetString("peer-trusted-ca-file"), f.GetBool("peer-client-cert-auth"),
                f.GetBool("peer-auto-tls"), f.GetString("peer-crl-file"), f.GetString("peer-cert-allowed-cn"), f.GetString("peer-cert-allowed-hostname")),
            CipherSuites = f.GetList("cipher-suites"),
            TlsMinVersion = f.GetString("tls-min-version"),
            TlsMaxVersion = f.GetString("tls-max-version"),
            Cors = f.GetList("cors"),
            HostWhitelist = f.GetList("host-whitelist"),
            AuthToken = f.GetString("auth-token"),
            BcryptCost = f.GetUInt("bcrypt-cost"),
            AuthTokenTtlSeconds = f.GetUInt("auth-token-ttl"),
            Metrics = f.GetString("metrics"),
            EnableGrpcGateway = f.GetBool("enable-grpc-gateway"),
            LogLevel = f.GetBool("debug") ? "debug" : f.GetString("log-level"),
            LogFormat = f.GetString("log-format"),
            LogOutputs = f.GetList("log-outputs"),
            InitialCorruptCheck = f.GetBool("initial-corrupt-check"),
            CorruptCheckTime = f.GetDuration("corrupt-check-time"),
            EnableLeaseCheckpoint = f.GetBool("enable-lease-checkpoint"),
            EnableLeaseCheckpointPersist = f.GetBool("enable-lease-checkpoint-persist"),
            CompactionBatchLimit = f.GetInt("compaction-batch-limit"),
            CompactionSleepInterval = f.GetDuration("compaction-sleep-interval"),
            WatchProgressNotifyInterval = f.GetDuration("watch-progress-notify-interval"),
            WarningApplyDuration = f.GetDuration("warning-apply-duration"),
            WarningUnaryRequestDuration = f.GetDuration("warning-unary-request-duration"),
            UnsafeNoFsync = f.GetBool("unsafe-no-fsync"),
            ForceNewCluster = f.GetBool("force-new-cluster"),
        };
    }
}

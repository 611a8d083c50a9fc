using Kvasir.Server.Config;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Config;

public sealed class ConfigLoaderTests
{
    private static readonly Dictionary<string, string> NoEnv = [];

    private static MemberConfig Load(params string[] args) => ConfigLoader.Load(args, NoEnv).Config!;

    [Fact]
    public void Load_NoFlags_GivesEtcdDefaultsWithKvasirDataDir()
    {
        var c = Load();
        Assert.Equal("default", c.Name);
        Assert.Equal("default.kvasir", c.DataDir);
        Assert.Equal(100_000UL, c.SnapshotCount);
        Assert.Equal(100, c.HeartbeatMs);
        Assert.Equal(1000, c.ElectionMs);
        Assert.Equal(10, c.ElectionTicks);
        Assert.Equal(new Uri("http://localhost:2379"), Assert.Single(c.ListenClientUrls));
        Assert.Equal(new Uri("http://localhost:2379"), Assert.Single(c.AdvertiseClientUrls));
        Assert.Equal(128UL, c.MaxTxnOps);
        Assert.Equal(1_572_864UL, c.MaxRequestBytes);
        Assert.Equal(MemberConfig.DefaultQuotaBytes, c.EffectiveQuotaBytes);
        Assert.Equal(TimeSpan.FromMinutes(10), c.WatchProgressNotifyInterval);
        Assert.Equal(2, c.MinLeaseTtlSeconds);
        Assert.Equal(Path.Combine("default.kvasir", "member", "wal"), c.EffectiveWalDir);
    }

    [Theory]
    [InlineData("--name", "n1")]
    [InlineData("-name", "n1")]
    [InlineData("--name=n1")]
    [InlineData("-name=n1")]
    public void Load_GoFlagForms_AllAccepted(params string[] args)
    {
        var c = Load(args);
        Assert.Equal("n1", c.Name);
        Assert.Equal("n1.kvasir", c.DataDir);
    }

    [Fact]
    public void Load_BoolFlagAlone_IsTrue_AndTakesInlineFalse()
    {
        Assert.True(Load("--force-new-cluster").ForceNewCluster);
        Assert.False(Load("--pre-vote=false").PreVote);
        Assert.True(Load("--pre-vote=t").PreVote);
    }

    [Fact]
    public void Load_ExperimentalAlias_SetsTheSameValue()
    {
        var c = Load("--experimental-watch-progress-notify-interval=5s");
        Assert.Equal(TimeSpan.FromSeconds(5), c.WatchProgressNotifyInterval);
    }

    [Theory]
    [InlineData("flag provided but not defined: -bogus", "--bogus")]
    [InlineData("invalid value \"abc\" for flag -snapshot-count: parse error", "--snapshot-count=abc")]
    [InlineData("invalid value \"-1\" for flag -max-txn-ops: parse error", "--max-txn-ops", "-1")]
    [InlineData("invalid value \"x\" for flag -pre-vote: parse error", "--pre-vote=x")]
    [InlineData("flag needs an argument: -name", "--name")]
    [InlineData("'extra' is not a valid flag", "--name", "n", "extra")]
    [InlineData("unexpected clusterState \"maybe\"", "--initial-cluster-state", "maybe")]
    [InlineData("--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]", "--election-timeout", "400")]
    [InlineData("--election-timeout[60000ms] is too long, and should be set less than 50000ms", "--election-timeout", "60000", "--heartbeat-interval", "1000")]
    [InlineData("--heartbeat-interval must be >0 (set to 0ms)", "--heartbeat-interval", "0")]
    [InlineData("--advertise-client-urls is required when --listen-client-urls is set explicitly", "--listen-client-urls", "http://127.0.0.1:2379")]
    [InlineData("expected IP in URL for binding (http://example.com:2379)", "--listen-client-urls", "http://example.com:2379", "--advertise-client-urls", "http://example.com:2379")]
    [InlineData("unknown auto-compaction-mode \"weekly\"", "--auto-compaction-mode", "weekly")]
    [InlineData("invalid value \"not-a-url\" for flag -listen-peer-urls: parse error", "--listen-peer-urls", "not-a-url")]
    public void Load_BadInput_RefusedWithEtcdsMessage(string message, params string[] args)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(args, NoEnv));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Load_Environment_FillsUnsetFlags_KvasirBeforeEtcd()
    {
        var env = new Dictionary<string, string>
        {
            ["ETCD_NAME"] = "from-etcd",
            ["KVASIR_NAME"] = "from-kvasir",
            ["ETCD_SNAPSHOT_COUNT"] = "42",
        };
        var loaded = ConfigLoader.Load([], env);
        Assert.Equal("from-kvasir", loaded.Config!.Name);
        Assert.Equal(42UL, loaded.Config.SnapshotCount);
    }

    [Fact]
    public void Load_UnknownEtcdVariable_IsAWarningNotAnError()
    {
        var loaded = ConfigLoader.Load([], new Dictionary<string, string> { ["ETCD_BOGUS"] = "1", ["ETCDCTL_API"] = "3" });
        var warning = Assert.Single(loaded.Warnings);
        Assert.Equal("unrecognized environment variable ETCD_BOGUS=1", warning);
    }

    [Fact]
    public void Load_BadEnvironmentValue_NamesTheVariable()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load([], new Dictionary<string, string> { ["ETCD_SNAPSHOT_COUNT"] = "many" }));
        Assert.Equal("invalid value \"many\" for ETCD_SNAPSHOT_COUNT: parse error", e.Message);
    }

    [Fact]
    public void Load_EnvironmentShadowedByFlag_IsRefused()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(["--name", "a"], new Dictionary<string, string> { ["ETCD_NAME"] = "b" }));
        Assert.StartsWith("conflicting environment variable \"ETCD_NAME\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_HelpAndVersion_AreReported()
    {
        Assert.Equal(LaunchKind.Help, ConfigLoader.Load(["--help"], NoEnv).Kind);
        Assert.Equal(LaunchKind.Help, ConfigLoader.Load(["-h"], NoEnv).Kind);
        Assert.Equal(LaunchKind.Version, ConfigLoader.Load(["--version"], NoEnv).Kind);
        Assert.Contains("--snapshot-count '100000'", ConfigLoader.Usage(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_IgnoredFlag_Warns()
    {
        var loaded = ConfigLoader.Load(["--enable-v2"], NoEnv);
        Assert.Contains(loaded.Warnings, w => w.Contains("--enable-v2", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_ConfigFile_ReplacesFlagsAndEnvironment()
    {
        using var dir = new TempDir();
        var path = dir.Sub("kvasir.yml");
        File.WriteAllText(path, """
            name: 'infra1'
            data-dir:
            snapshot-count: 5000
            heartbeat-interval: 50
            election-timeout: 500
            listen-client-urls: http://127.0.0.1:12379
            advertise-client-urls: http://127.0.0.1:12379
            log-outputs: [stderr]
            auto-compaction-mode: revision
            auto-compaction-retention: "1000"
            client-transport-security:
              client-cert-auth: true
              auto-tls: false
            """);
        var loaded = ConfigLoader.Load(["--config-file", path, "--name", "ignored"], new Dictionary<string, string> { ["ETCD_SNAPSHOT_COUNT"] = "1" });
        var c = loaded.Config!;
        Assert.Equal("infra1", c.Name);
        Assert.Equal("infra1.kvasir", c.DataDir);
        Assert.Equal(5000UL, c.SnapshotCount);
        Assert.Equal(5, c.ElectionTicks * c.HeartbeatMs / 100);
        Assert.True(c.ClientTls.ClientCertAuth);
        Assert.Equal(["stderr"], c.LogOutputs);
        Assert.Equal((TimeSpan.Zero, 1000L), c.CompactionRetention());
    }

    [Fact]
    public void Load_ConfigFileWithUnknownKey_IsRefused()
    {
        using var dir = new TempDir();
        var path = dir.Sub("kvasir.yml");
        File.WriteAllText(path, "name: a\nsnapshot-cuont: 5\n");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(["--config-file", path], NoEnv));
        Assert.Contains("unknown key snapshot-cuont", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ConfigFileBadYaml_IsRefused()
    {
        using var dir = new TempDir();
        var path = dir.Sub("kvasir.yml");
        File.WriteAllText(path, "name: [unclosed\n");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(["--config-file", path], NoEnv));
        Assert.StartsWith("error parsing config file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingConfigFile_IsRefused()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(["--config-file", "/nonexistent/kvasir.yml"], NoEnv));
        Assert.StartsWith("cannot read config file", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("periodic", "1", 3600, 0)]
    [InlineData("periodic", "30m", 1800, 0)]
    [InlineData("revision", "1000", 0, 1000)]
    [InlineData("periodic", "0", 0, 0)]
    public void CompactionRetention_ReadsEtcdsForms(string mode, string retention, int seconds, long revisions)
    {
        var c = Load("--auto-compaction-mode", mode, "--auto-compaction-retention", retention);
        Assert.Equal((TimeSpan.FromSeconds(seconds), revisions), c.CompactionRetention());
    }

    [Fact]
    public void ValidateBootstrap_ChecksTheInitialClusterNamesThisMember()
    {
        var ok = Load("--name", "a", "--initial-cluster", "a=http://127.0.0.1:2380,b=http://127.0.0.1:2381",
            "--initial-advertise-peer-urls", "http://127.0.0.1:2380");
        ok.ValidateBootstrap();

        var missing = Load("--name", "c", "--initial-cluster", "a=http://127.0.0.1:2380");
        Assert.Equal("couldn't find local name \"c\" in the initial cluster configuration", Assert.Throws<ConfigException>(missing.ValidateBootstrap).Message);

        var mismatch = Load("--name", "a", "--initial-cluster", "a=http://127.0.0.1:2390", "--initial-advertise-peer-urls", "http://127.0.0.1:2380");
        Assert.StartsWith("--initial-cluster has a=http://127.0.0.1:2390/ but missing from", Assert.Throws<ConfigException>(mismatch.ValidateBootstrap).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5s", 5000)]
    [InlineData("300ms", 300)]
    [InlineData("2h45m", 9900000)]
    [InlineData("1.5s", 1500)]
    [InlineData("0", 0)]
    public void GoDuration_Parses(string text, long ms)
    {
        Assert.True(GoDuration.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromMilliseconds(ms), d);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("abc")]
    [InlineData("5x")]
    [InlineData("")]
    public void GoDuration_RefusesBadText(string text)
    {
        Assert.False(GoDuration.TryParse(text, out _));
    }
}

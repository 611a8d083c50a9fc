using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc.Client;
using Kvasir.Server.Lease;
using Kvasir.Server.Services;
using Kvasir.Server.Watch;
using Kvasir.Testing;
using Kvasir.Server.Tests.Gateway.Support;

namespace Kvasir.Server.Tests.Metrics;

/// <summary>
/// /metrics of a real kvasir against a real etcd 3.4.23 after the same requests: every family etcd
/// serves is served by kvasir with the same type, label names and histogram buckets, except the
/// intentional differences listed here (each with its reason; docs/metrics.md has the full table).
/// </summary>
public sealed class MetricFamiliesTests(GatewayPair pair) : IClassFixture<GatewayPair>
{
    /// <summary>Prefixes of etcd families that do not apply to Kvasir at all.</summary>
    private static readonly string[] NotApplicablePrefixes =
    [
        "go_",                      // Go's runtime (Kvasir serves dotnet_gc_* instead)
        "promhttp_",                // Go's metrics handler
        "etcd_grpc_proxy_",         // etcd's gRPC proxy, a separate mode
        "etcd_debugging_store_",    // the v2 store, which Kvasir does not have
    ];

    /// <summary>etcd families Kvasir does not serve, and why.</summary>
    private static readonly Dictionary<string, string> NotServed = new(StringComparer.Ordinal)
    {
        ["etcd_debugging_auth_revision"] = "no auth store yet",
        ["etcd_debugging_disk_backend_commit_rebalance_duration_seconds"] = "bbolt's commit phases; Kvasir's backend is SQLite",
        ["etcd_debugging_disk_backend_commit_spill_duration_seconds"] = "bbolt's commit phases",
        ["etcd_debugging_disk_backend_commit_write_duration_seconds"] = "bbolt's commit phases",
        ["etcd_mvcc_db_open_read_transactions"] = "bbolt's read transactions",
        ["etcd_debugging_mvcc_db_compaction_keys_total"] = "compaction is not instrumented in the storage layer yet",
        ["etcd_debugging_mvcc_db_compaction_pause_duration_milliseconds"] = "compaction is not instrumented yet",
        ["etcd_debugging_mvcc_db_compaction_total_duration_milliseconds"] = "compaction is not instrumented yet",
        ["etcd_debugging_mvcc_index_compaction_pause_duration_milliseconds"] = "compaction is not instrumented yet",
        ["etcd_debugging_snap_save_marshalling_duration_seconds"] = "snapshot marshalling is not timed separately",
        ["etcd_snap_fsync_duration_seconds"] = "the snapshot file's fsync is not timed separately",
        ["etcd_snap_db_fsync_duration_seconds"] = "receiving a leader's snapshot: not on a one-member cluster",
        ["etcd_snap_db_save_total_duration_seconds"] = "receiving a leader's snapshot: not on a one-member cluster",
        ["etcd_network_client_grpc_received_bytes_total"] = "gRPC bytes are not counted by the transport yet",
        ["etcd_network_client_grpc_sent_bytes_total"] = "gRPC bytes are not counted by the transport yet",
    };

    /// <summary>Families only Kvasir serves.</summary>
    private static readonly string[] KvasirOnly = ["dotnet_gc_collections_total", "dotnet_gc_heap_size_bytes", "etcd_server_alarms_active"];

    [Fact]
    public async Task Families_AfterSameRequests_SameAsEtcdExceptListed()
    {
        var (etcd, kvasir) = await ScrapeBothAfterRequestsAsync();

        var missing = new List<string>();
        var different = new List<string>();
        foreach (var (name, type) in etcd.Types)
        {
            if (Array.Exists(NotApplicablePrefixes, p => name.StartsWith(p, StringComparison.Ordinal)) || NotServed.ContainsKey(name))
            {
                continue;
            }

            if (!kvasir.Types.TryGetValue(name, out var kvasirType))
            {
                missing.Add(name);
                continue;
            }

            if (type != kvasirType)
            {
                different.Add($"{name}: type {type} on etcd, {kvasirType} on kvasir");
            }

            if (!etcd.LabelNames[name].SetEquals(kvasir.LabelNames[name]))
            {
                different.Add($"{name}: labels [{string.Join(",", etcd.LabelNames[name])}] on etcd, [{string.Join(",", kvasir.LabelNames[name])}] on kvasir");
            }

            if (etcd.Buckets.TryGetValue(name, out var buckets) && (!kvasir.Buckets.TryGetValue(name, out var ours) || !buckets.SetEquals(ours)))
            {
                different.Add($"{name}: buckets differ");
            }
        }

        var extra = kvasir.Types.Keys.Where(n => !etcd.Types.ContainsKey(n) && !KvasirOnly.Contains(n)).ToList();
        var served = NotServed.Keys.Where(kvasir.Types.ContainsKey).ToList();
        Assert.True(
            missing.Count == 0 && different.Count == 0 && extra.Count == 0 && served.Count == 0,
            $"missing on kvasir: {string.Join(", ", missing)}\ndifferent: {string.Join("\n  ", different)}\nonly on kvasir, unlisted: {string.Join(", ", extra)}\nlisted as not served but served: {string.Join(", ", served)}");
    }

    [Fact]
    public async Task Counters_AfterSameRequests_SameValuesAsEtcd()
    {
        var (etcd, kvasir) = await ScrapeBothAfterRequestsAsync();

        // Counts both servers must agree on after the same requests (the processes are the test's own).
        string[] same =
        [
            "etcd_mvcc_put_total", "etcd_mvcc_delete_total", "etcd_mvcc_txn_total", "etcd_debugging_mvcc_put_total",
            "etcd_debugging_lease_granted_total", "etcd_debugging_lease_revoked_total", "etcd_debugging_mvcc_total_put_size_in_bytes",
            "etcd_debugging_mvcc_keys_total", "etcd_debugging_mvcc_current_revision", "etcd_server_has_leader", "etcd_server_is_leader",
        ];
        string[] sameSamples =
        [
            "grpc_server_started_total{grpc_method=\"LeaseKeepAlive\",grpc_service=\"etcdserverpb.Lease\",grpc_type=\"bidi_stream\"}",
            "grpc_server_msg_received_total{grpc_method=\"LeaseKeepAlive\",grpc_service=\"etcdserverpb.Lease\",grpc_type=\"bidi_stream\"}",
            "grpc_server_msg_sent_total{grpc_method=\"LeaseKeepAlive\",grpc_service=\"etcdserverpb.Lease\",grpc_type=\"bidi_stream\"}",
            "grpc_server_handled_total{grpc_code=\"OK\",grpc_method=\"Put\",grpc_service=\"etcdserverpb.KV\",grpc_type=\"unary\"}",
            "grpc_server_handled_total{grpc_code=\"NotFound\",grpc_method=\"LeaseRevoke\",grpc_service=\"etcdserverpb.Lease\",grpc_type=\"unary\"}",
        ];
        var sampleDifferences = sameSamples.Where(n => etcd.Samples.GetValueOrDefault(n, -1) != kvasir.Samples.GetValueOrDefault(n, -2))
            .Select(n => $"{n}: etcd {etcd.Samples.GetValueOrDefault(n, -1)}, kvasir {kvasir.Samples.GetValueOrDefault(n, -2)}");
        var differences = same.Where(n => etcd.Unlabelled.GetValueOrDefault(n, -1) != kvasir.Unlabelled.GetValueOrDefault(n, -2))
            .Select(n => $"{n}: etcd {etcd.Unlabelled.GetValueOrDefault(n, -1)}, kvasir {kvasir.Unlabelled.GetValueOrDefault(n, -2)}")
            .Concat(sampleDifferences)
            .ToList();
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    [Fact]
    public async Task StreamMessages_OverGrpc_CountedAsEtcdCountsThem()
    {
        string[] samples =
        [
            "grpc_server_msg_received_total{grpc_method=\"Watch\",grpc_service=\"etcdserverpb.Watch\",grpc_type=\"bidi_stream\"}",
            "grpc_server_msg_sent_total{grpc_method=\"Watch\",grpc_service=\"etcdserverpb.Watch\",grpc_type=\"bidi_stream\"}",
            "grpc_server_msg_received_total{grpc_method=\"LeaseKeepAlive\",grpc_service=\"etcdserverpb.Lease\",grpc_type=\"bidi_stream\"}",
            "grpc_server_msg_sent_total{grpc_method=\"LeaseKeepAlive\",grpc_service=\"etcdserverpb.Lease\",grpc_type=\"bidi_stream\"}",
        ];
        // One create, then one response per put (each awaited before the next); two keep-alives, two answers.
        double[] expected = [1, 3, 2, 2];
        foreach (var (endpoint, url) in new[] { (pair.Etcd.Endpoint, pair.Etcd.ClientUrl), (pair.Kvasir.Endpoint, pair.Kvasir.ClientUrl) })
        {
            var before = PrometheusText.Parse(await pair.Http.GetStringAsync(url + "/metrics"));
            await StreamOverGrpcAsync(endpoint);

            // A stream's messages are counted once flushed, which may be a moment after the client read them.
            await Poll.UntilAsync(
                async () =>
                {
                    var after = PrometheusText.Parse(await pair.Http.GetStringAsync(url + "/metrics"));
                    return samples.Select(n => after.Samples.GetValueOrDefault(n) - before.Samples.GetValueOrDefault(n)).SequenceEqual(expected);
                },
                TimeSpan.FromSeconds(10),
                $"{url} to count {string.Join(", ", expected)} stream messages");
        }
    }

    private static async Task StreamOverGrpcAsync(string endpoint)
    {
        using var channel = GrpcChannel.ForEndpoints(endpoint);
        var key = ByteString.CopyFromUtf8("metrics/stream-" + Guid.NewGuid().ToString("N"));
        using (var watch = channel.DuplexStreaming(WatchService.WatchMethod))
        {
            await watch.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = key } });
            Assert.True(await watch.ResponseStream.MoveNextAsync());
            Assert.True(watch.ResponseStream.Current.Created);
            for (var i = 0; i < 2; i++)
            {
                await channel.UnaryAsync(EtcdMethods.Put, new PutRequest { Key = key, Value = ByteString.CopyFromUtf8("v") });
                Assert.True(await watch.ResponseStream.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
                Assert.Single(watch.ResponseStream.Current.Events);
            }
        }

        var lease = await channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = 60 });
        using (var keepAlive = channel.DuplexStreaming(LeaseMethods.KeepAlive))
        {
            for (var i = 0; i < 2; i++)
            {
                await keepAlive.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease.ID });
                Assert.True(await keepAlive.ResponseStream.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20)));
            }
        }

        await channel.UnaryAsync(LeaseMethods.Revoke, new LeaseRevokeRequest { ID = lease.ID });
    }

    private async Task<(PrometheusText Etcd, PrometheusText Kvasir)> ScrapeBothAfterRequestsAsync()
    {
        foreach (var url in new[] { pair.Etcd.ClientUrl, pair.Kvasir.ClientUrl })
        {
            await pair.SendAsync(url, HttpMethod.Post, "/v3/kv/put", """{"key":"bS9h","value":"MTIz"}""");
            await pair.SendAsync(url, HttpMethod.Post, "/v3/kv/range", """{"key":"bS9h"}""");
            await pair.SendAsync(url, HttpMethod.Post, "/v3/kv/txn", """{"compare":[{"key":"bS9h","target":"VERSION","version":"1"}],"success":[{"request_put":{"key":"bS9i","value":"eA=="}},{"request_range":{"key":"bS9h"}}]}""");
            await pair.SendAsync(url, HttpMethod.Post, "/v3/kv/deleterange", """{"key":"bS9i"}""");
            await pair.SendAsync(url, HttpMethod.Post, "/v3/lease/grant", """{"TTL":"600","ID":"90001"}""");
            await pair.SendAsync(url, HttpMethod.Post, "/v3/lease/keepalive", """{"ID":"90001"}{"ID":"90001"}""");
            await pair.SendAsync(url, HttpMethod.Post, "/v3/lease/revoke", """{"ID":"90001"}""");
            await pair.SendAsync(url, HttpMethod.Post, "/v3/lease/revoke", """{"ID":"90001"}""");
            await pair.SendAsync(url, HttpMethod.Post, "/v3/maintenance/hash", "{}");
            await pair.SendAsync(url, HttpMethod.Get, "/health", null);
        }

        var etcd = await pair.Http.GetStringAsync(pair.Etcd.ClientUrl + "/metrics");
        var kvasir = await pair.Http.GetStringAsync(pair.Kvasir.ClientUrl + "/metrics");
        return (PrometheusText.Parse(etcd), PrometheusText.Parse(kvasir));
    }
}

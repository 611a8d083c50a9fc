using System.Text;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Client;
using Kvasir.Server.Lease;
using Kvasir.Server.Services;
using Kvasir.Server.Tests.Lease.Support;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Lease;

/// <summary>
/// A seeded random sequence of lease and KV operations sent to the Lease service (in-process, clock
/// stopped) and to a real etcd 3.4.23 through Kvasir's gRPC client; every answer — revisions, ids of
/// client-chosen leases, TTLs, keys, counts, errors — must be the same. Server-chosen ids differ by nature
/// and are mapped. Leases are long enough that none expires on etcd during the run.
/// Replay one seed: KVASIR_LEASE_SEED=N dotnet test --filter LeaseDifferentialTests
/// </summary>
public sealed class LeaseDifferentialTests
{
    private const int Operations = 400;
    private static readonly string[] KeyNames = ["a", "b", "c", "d", "svc/1", "svc/2", "svc/3"];

    [Fact]
    public async Task RandomOperations_KvasirAndEtcd_SameAnswers()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KVASIR_LEASE_SEED"), out var s) ? s : 20261122;
        await using var etcd = await EtcdServer.StartAsync();
        await using var kvasir = await LeaseHost.StartAsync(new ManualTimeProvider(), new LessorOptions { Random = new Random(seed) });
        using var etcdSide = new Side(GrpcChannel.ForEndpoints(etcd.Endpoint));
        using var kvasirSide = new Side(GrpcChannel.ForEndpoints(kvasir.Endpoint));
        var random = new Random(seed);

        // Logical leases: the id each side knows it by (equal for client-chosen ids).
        var leases = new List<(long Etcd, long Kvasir)>();
        var nextClientId = 1000L;
        for (var step = 0; step < Operations; step++)
        {
            var op = random.Next(100);
            (long Etcd, long Kvasir) Pick() =>
                leases.Count > 0 && random.Next(5) != 0 ? leases[random.Next(leases.Count)] : (random.Next(1, 50), random.Next(1, 50)) switch { var (x, _) => (x, x) };

            string e, k;
            string what;
            if (op < 20)
            {
                var ttl = new long[] { 30, 60, 600, 3600, Lessor.MaxLeaseTtl, Lessor.MaxLeaseTtl + 1 }[random.Next(6)];
                // Server-chosen, a new client-chosen id, or the id of a live lease (each side's own).
                var (eid, kid) = random.Next(3) switch { 0 => (0L, 0L), 1 => (nextClientId, nextClientId++), _ => leases.Count > 0 ? leases[random.Next(leases.Count)] : (nextClientId, nextClientId++) };
                what = $"grant ttl {ttl} id {eid:x}/{kid:x}";
                var eg = await etcdSide.Grant(ttl, eid);
                var kg = await kvasirSide.Grant(ttl, kid);
                if (eg.Response is { } er && kg.Response is { } kr)
                {
                    leases.Add((er.ID, kr.ID));
                }

                (e, k) = (eg.Text, kg.Text);
            }
            else if (op < 25)
            {
                // Short TTLs are raised to the minimum; revoked at once so that etcd's clock cannot expire them mid-run.
                var ttl = random.Next(-2, 4);
                var id = nextClientId++;
                what = $"short grant ttl {ttl}";
                e = (await etcdSide.Grant(ttl, id)).Text;
                k = (await kvasirSide.Grant(ttl, id)).Text;
                await etcdSide.Revoke(id);
                await kvasirSide.Revoke(id);
            }
            else if (op < 35)
            {
                var (ei, ki) = Pick();
                what = $"revoke {ei:x}/{ki:x}";
                e = await etcdSide.Revoke(ei);
                k = await kvasirSide.Revoke(ki);
                leases.Remove((ei, ki));
            }
            else if (op < 60)
            {
                var key = KeyNames[random.Next(KeyNames.Length)];
                var (ei, ki) = random.Next(4) == 0 ? (0L, 0L) : Pick();
                what = $"put {key} lease {ei:x}/{ki:x}";
                e = await etcdSide.Put(key, $"v{step}", ei);
                k = await kvasirSide.Put(key, $"v{step}", ki);
            }
            else if (op < 65)
            {
                var key = KeyNames[random.Next(KeyNames.Length)];
                what = $"delete {key}";
                e = await etcdSide.Delete(key);
                k = await kvasirSide.Delete(key);
            }
            else if (op < 77)
            {
                var (ei, ki) = Pick();
                var keys = random.Next(2) == 0;
                what = $"timetolive {ei:x}/{ki:x} keys {keys}";
                e = await etcdSide.TimeToLive(ei, keys);
                k = await kvasirSide.TimeToLive(ki, keys);
            }
            else if (op < 90)
            {
                var (ei, ki) = Pick();
                what = $"keepalive {ei:x}/{ki:x}";
                e = await etcdSide.KeepAlive(ei);
                k = await kvasirSide.KeepAlive(ki);
            }
            else if (op < 95)
            {
                what = "leases";
                e = await etcdSide.Leases(leases, etcd: true);
                k = await kvasirSide.Leases(leases, etcd: false);
            }
            else
            {
                what = "range all";
                e = await etcdSide.RangeAll(leases, etcd: true);
                k = await kvasirSide.RangeAll(leases, etcd: false);
            }

            Assert.True(e == k, $"seed {seed}, step {step} ({what}) differs\netcd:   {e}\nkvasir: {k}\nreplay: KVASIR_LEASE_SEED={seed} dotnet test tests/Kvasir.Server.Tests --filter LeaseDifferentialTests");
        }
    }

    /// <summary>One server, seen through Kvasir's gRPC client; each call's answer as comparable text.</summary>
    private sealed class Side(GrpcChannel channel) : IDisposable
    {
        private readonly GrpcChannel _channel = channel;
        private DuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse>? _keepAlive;

        public async Task<(LeaseGrantResponse? Response, string Text)> Grant(long ttl, long id)
        {
            try
            {
                var r = await _channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { TTL = ttl, ID = id });
                return (r, $"granted ttl {r.TTL} rev {r.Header.Revision} {(id == 0 ? "server-chosen" : r.ID == id ? "as asked" : "other id")}");
            }
            catch (RpcException x)
            {
                return (null, Error(x));
            }
        }

        public async Task<string> Revoke(long id) =>
            await Call(async () => $"revoked rev {(await _channel.UnaryAsync(LeaseMethods.Revoke, new LeaseRevokeRequest { ID = id })).Header.Revision}");

        public async Task<string> Put(string key, string value, long lease) =>
            await Call(async () => $"put rev {(await _channel.UnaryAsync(EtcdMethods.Put, new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFromUtf8(value), Lease = lease })).Header.Revision}");

        public async Task<string> Delete(string key) =>
            await Call(async () =>
            {
                var r = await _channel.UnaryAsync(EtcdMethods.DeleteRange, new DeleteRangeRequest { Key = ByteString.CopyFromUtf8(key) });
                return $"deleted {r.Deleted} rev {r.Header.Revision}";
            });

        public async Task<string> TimeToLive(long id, bool keys) =>
            await Call(async () =>
            {
                var r = await _channel.UnaryAsync(LeaseMethods.TimeToLive, new LeaseTimeToLiveRequest { ID = id, Keys = keys });

                // etcd's clock runs; Kvasir's is stopped: a remaining TTL within two seconds of the granted one is "full".
                var ttl = r.TTL == -1 ? "-1" : r.GrantedTTL - r.TTL <= 2 && r.TTL <= r.GrantedTTL ? "full" : r.TTL.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var names = string.Join(',', r.Keys.Select(k => k.ToStringUtf8()).Order(StringComparer.Ordinal));
                return $"ttl {ttl} granted {r.GrantedTTL} keys [{names}] rev {r.Header.Revision}";
            });

        public async Task<string> KeepAlive(long id) =>
            await Call(async () =>
            {
                _keepAlive ??= _channel.DuplexStreaming(LeaseMethods.KeepAlive);
                await _keepAlive.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = id });
                Assert.True(await _keepAlive.ResponseStream.MoveNextAsync());
                var r = _keepAlive.ResponseStream.Current;
                return $"kept {r.TTL} rev {r.Header.Revision}";
            });

        public async Task<string> Leases(List<(long Etcd, long Kvasir)> known, bool etcd) =>
            await Call(async () =>
            {
                var r = await _channel.UnaryAsync(LeaseMethods.Leases, new LeaseLeasesRequest());
                return "leases " + string.Join(',', r.Leases.Select(l => Logical(known, l.ID, etcd)).Order(StringComparer.Ordinal)) + $" rev {r.Header.Revision}";
            });

        public async Task<string> RangeAll(List<(long Etcd, long Kvasir)> known, bool etcd) =>
            await Call(async () =>
            {
                var r = await _channel.UnaryAsync(EtcdMethods.Range, new RangeRequest { Key = ByteString.CopyFrom(0), RangeEnd = ByteString.CopyFrom(0) });
                var text = new StringBuilder($"count {r.Count} rev {r.Header.Revision}:");
                foreach (var kv in r.Kvs)
                {
                    text.Append($" {kv.Key.ToStringUtf8()}={kv.Value.ToStringUtf8()}@{kv.CreateRevision}/{kv.ModRevision}/{kv.Version}/{Logical(known, kv.Lease, etcd)}");
                }

                return text.ToString();
            });

        public void Dispose()
        {
            _keepAlive?.Dispose();
            _channel.Dispose();
        }

        private static string Logical(List<(long Etcd, long Kvasir)> known, long id, bool etcd)
        {
            if (id == 0)
            {
                return "-";
            }

            var i = known.FindIndex(l => (etcd ? l.Etcd : l.Kvasir) == id);
            return i >= 0 ? $"L{i}" : $"?{id:x}";
        }

        private static async Task<string> Call(Func<Task<string>> call)
        {
            try
            {
                return await call();
            }
            catch (RpcException x)
            {
                return Error(x);
            }
        }

        private static string Error(RpcException x) => $"error {x.StatusCode} {x.Status.Detail}";
    }
}

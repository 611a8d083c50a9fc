using System.Globalization;
using System.Text;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Grpc.Client;
using Kvasir.Server.Lease;
using Kvasir.Server.Services;

namespace Kvasir.Compat.Tests.Differential;

/// <summary>
/// Lease operations: grants (client-chosen ids, new or in use; server-chosen ids; TTLs below the
/// minimum, at and above the maximum), revokes (of live, revoked and unknown leases), puts with a
/// lease, time-to-live with and without keys, keep-alives and the lease list. TTLs are long enough
/// that no lease expires during a run; a short one is revoked in the same operation. Lease ids are
/// compared by name (<see cref="DiffTarget.LeaseName"/>); remaining TTLs, which follow each
/// server's clock, are compared as "full" when within a minute of the granted TTL (a loaded
/// machine slows a run; a soak of many seeds stays well inside the shortest TTL, half an hour).
/// </summary>
public sealed class LeaseOps : IDiffOpGenerator
{
    private static readonly long[] Ttls = [1800, 3600, 7200, Lessor.MaxLeaseTtl, Lessor.MaxLeaseTtl + 1];

    public int Weight => 4;

    public DiffOp? Next(Random random, DiffModel model) => random.Next(20) switch
    {
        < 4 => Grant(random, model),
        < 5 => ShortGrant(random, model),
        < 7 => Revoke(random, model),
        < 12 => Put(random, model),
        < 15 => TimeToLive(random, model),
        < 18 => KeepAlive(random, model),
        _ => Leases(),
    };

    /// <summary>A live lease's name most of the time, else a revoked or never-granted one.</summary>
    private static string Pick(Random random, DiffModel model) =>
        model.LeaseHandles.Count > 0 && random.Next(5) != 0
            ? model.LeaseHandles[random.Next(model.LeaseHandles.Count)]
            : "c" + random.Next(990, 1010).ToString(CultureInfo.InvariantCulture);

    private static FuncOp Grant(Random random, DiffModel model)
    {
        var ttl = Ttls[random.Next(Ttls.Length)];
        string handle;
        var reuse = false;
        switch (random.Next(3))
        {
            case 0:
                handle = "s" + (model.ServerChosenGrants++).ToString(CultureInfo.InvariantCulture);
                break;
            case 1 when model.LeaseHandles.Count > 0:
                handle = model.LeaseHandles[random.Next(model.LeaseHandles.Count)];
                reuse = true;
                break;
            default:
                handle = "c" + (model.NextLeaseId++).ToString(CultureInfo.InvariantCulture);
                break;
        }

        if (!reuse && ttl <= Lessor.MaxLeaseTtl)
        {
            model.LeaseHandles.Add(handle);
        }

        return new FuncOp($"LeaseGrant {handle} ttl {ttl}", async t =>
        {
            var id = handle.StartsWith('s') && !reuse ? 0 : t.LeaseId(handle);
            try
            {
                var r = await t.Channel.UnaryAsync(LeaseMethods.Grant, new LeaseGrantRequest { ID = id, TTL = ttl }, Options());
                if (!reuse)
                {
                    t.NameLease(handle, r.ID);
                }

                return t.MaskLeases(DiffTarget.Render(r));
            }
            catch (RpcException e)
            {
                return Error(e);
            }
        });
    }

    // TTLs at and below the minimum are raised to it; the lease is revoked at once, before it can expire.
    private static FuncOp ShortGrant(Random random, DiffModel model)
    {
        var ttl = random.Next(-3, 4);
        var id = model.NextLeaseId++;
        return new FuncOp($"LeaseGrant {id} ttl {ttl}, then LeaseRevoke", async t =>
        {
            var grant = await t.CallAsync(LeaseMethods.Grant, new LeaseGrantRequest { ID = id, TTL = ttl });
            var revoke = await t.CallAsync(LeaseMethods.Revoke, new LeaseRevokeRequest { ID = id });
            return grant + "\n" + revoke;
        });
    }

    private static FuncOp Revoke(Random random, DiffModel model)
    {
        var handle = Pick(random, model);
        model.LeaseHandles.Remove(handle);
        return new FuncOp($"LeaseRevoke {handle}", t => t.CallAsync(LeaseMethods.Revoke, new LeaseRevokeRequest { ID = t.LeaseId(handle) }));
    }

    private static FuncOp Put(Random random, DiffModel model)
    {
        var handle = Pick(random, model);
        var template = KvOps.PutRequest(random);
        template.IgnoreLease = false;
        if (random.Next(6) == 0)
        {
            template.IgnoreLease = true;
        }

        return new FuncOp($"Put {template} lease {handle}", t =>
        {
            var put = template.Clone();
            put.Lease = t.LeaseId(handle);
            return t.CallAsync(EtcdMethods.Put, put);
        });
    }

    private static FuncOp TimeToLive(Random random, DiffModel model)
    {
        var handle = Pick(random, model);
        var keys = random.Next(2) == 0;
        return new FuncOp($"LeaseTimeToLive {handle} keys {keys}", async t =>
        {
            try
            {
                var r = await t.Channel.UnaryAsync(LeaseMethods.TimeToLive, new LeaseTimeToLiveRequest { ID = t.LeaseId(handle), Keys = keys }, Options());

                // The remaining TTL follows each server's clock; within a minute of the granted TTL it is "full".
                var ttl = r.TTL > 0 && r.TTL <= r.GrantedTTL && r.GrantedTTL - r.TTL <= 60 ? "full" : r.TTL.ToString(CultureInfo.InvariantCulture);
                var names = string.Join(',', r.Keys.Select(k => k.ToStringUtf8()).Order(StringComparer.Ordinal));
                return $"id {t.LeaseName(r.ID)} ttl {ttl} granted {r.GrantedTTL} keys [{names}] rev {r.Header.Revision}";
            }
            catch (RpcException e)
            {
                return Error(e);
            }
        });
    }

    private static FuncOp KeepAlive(Random random, DiffModel model)
    {
        var handle = Pick(random, model);
        return new FuncOp($"LeaseKeepAlive {handle}", async t =>
        {
            try
            {
                using var call = t.Channel.DuplexStreaming(LeaseMethods.KeepAlive, Options());
                await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = t.LeaseId(handle) });
                if (!await call.ResponseStream.MoveNextAsync())
                {
                    return "keep-alive stream ended without an answer";
                }

                return t.MaskLeases(DiffTarget.Render(call.ResponseStream.Current));
            }
            catch (RpcException e)
            {
                return Error(e);
            }
        });
    }

    // etcd lists leases in Go map order: compared sorted by name.
    private static FuncOp Leases() => new("LeaseLeases", async t =>
    {
        try
        {
            var r = await t.Channel.UnaryAsync(LeaseMethods.Leases, new LeaseLeasesRequest(), Options());
            var names = r.Leases.Select(l => t.LeaseName(l.ID)).Order(StringComparer.Ordinal);
            return new StringBuilder("leases ").AppendJoin(',', names).Append(" rev ").Append(r.Header.Revision).ToString();
        }
        catch (RpcException e)
        {
            return Error(e);
        }
    });

    private static CallOptions Options() => new() { Deadline = DateTime.UtcNow.AddSeconds(15) };

    private static string Error(RpcException e) => $"error {e.StatusCode}: {e.Message}";
}

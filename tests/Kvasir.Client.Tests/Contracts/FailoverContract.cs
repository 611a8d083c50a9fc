using Kvasir.Client.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Client.Tests.Contracts;

/// <summary>
/// The client across several endpoints: the first one down from the start, and the current one killed
/// while calls and a watch are in use. The class's cluster loses one member of three (it keeps quorum).
/// </summary>
public abstract class FailoverContract(ClusterFixture cluster)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    protected ClusterFixture Cluster { get; } = cluster;

    [ServerFact]
    public async Task Calls_FirstEndpointDown_ServedByTheNext()
    {
        await Cluster.StartAsync();
        var dead = $"127.0.0.1:{FreePort.Next()}";
        await using var client = new EtcdClient(new EtcdClientOptions { Endpoints = [dead, Cluster.Endpoints[1]], DialTimeout = TimeSpan.FromSeconds(2) });
        var key = Keys.Unique("failover") + "k";
        await client.KV.PutAsync(key, "v");
        Assert.Equal("v", (await client.KV.GetAsync(key)).Kvs[0].Value.ToStringUtf8());
        Assert.Equal("http://" + Cluster.Endpoints[1], client.CurrentEndpoint);
    }

    [ServerFact]
    public async Task ConnectAsync_NoEndpointUp_FailsWithinTheDialBound()
    {
        var options = new EtcdClientOptions { Endpoints = [$"127.0.0.1:{FreePort.Next()}", $"127.0.0.1:{FreePort.Next()}"], DialTimeout = TimeSpan.FromSeconds(1) };
        var e = await Assert.ThrowsAsync<EtcdException>(() => EtcdClient.ConnectAsync(options));
        Assert.Equal(Grpc.StatusCode.Unavailable, e.StatusCode);
    }

    [ServerFact]
    public async Task CurrentMemberKilled_CallsAndWatchContinueOnTheOthers()
    {
        await Cluster.StartAsync();
        await using var client = new EtcdClient(new EtcdClientOptions { Endpoints = Cluster.Endpoints, DialTimeout = TimeSpan.FromSeconds(2) });
        await using var writer = new EtcdClient(new EtcdClientOptions { Endpoints = [Cluster.Endpoints[1], Cluster.Endpoints[2]], DialTimeout = TimeSpan.FromSeconds(2) });
        var p = Keys.Unique("failover");
        await using var watch = await WatchReader.CreatedAsync(client.Watch, p, new WatchOptions { Prefix = true });
        await writer.KV.PutAsync(p + "0", "before");
        Assert.Single(await watch.EventsAsync(1));
        Assert.Equal("http://" + Cluster.Endpoints[0], client.CurrentEndpoint);

        await Cluster.KillAsync(0);
        for (var i = 1; i <= 3; i++)
        {
            await PutRetryingAsync(writer, p + i);
        }

        var events = await watch.EventsAsync(3);
        Assert.Equal(Enumerable.Range(1, 3).Select(i => p + i), events.Select(e => e.Kv.Key.ToStringUtf8()));
        await client.KV.PutAsync(p + "4", "after");
        Assert.Equal(p + "4", Assert.Single(await watch.EventsAsync(1)).Kv.Key.ToStringUtf8());
        Assert.NotEqual("http://" + Cluster.Endpoints[0], client.CurrentEndpoint);
    }

    /// <summary>Puts while the survivors may still be electing a leader (etcd answers <c>leader changed</c> or times out meanwhile).</summary>
    private static Task PutRetryingAsync(EtcdClient client, string key) =>
        Poll.UntilAsync(
            async () =>
            {
                await client.KV.PutAsync(key, "while-down");
                return true;
            },
            Bound,
            $"a put of {key} on the surviving members");
}

using Kvasir.Api.Errors;
using Kvasir.Client.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Client.Tests.Contracts;

/// <summary>
/// <c>hasleader</c>: a view made with <see cref="EtcdClient.WithRequireLeader"/> gets <c>etcdserver: no leader</c>
/// at once from a member that lost its quorum, where a plain call would wait for its deadline. The class's
/// cluster loses two members of three.
/// </summary>
public abstract class NoLeaderContract(ClusterFixture cluster)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    protected ClusterFixture Cluster { get; } = cluster;

    [ServerFact]
    public async Task QuorumLost_RequireLeaderCallsAndWatchesFailWithNoLeader()
    {
        await Cluster.StartAsync();
        await using var client = new EtcdClient(new EtcdClientOptions { Endpoints = [Cluster.Endpoints[0]], CommandTimeout = TimeSpan.FromSeconds(10) });
        var leaderOnly = client.WithRequireLeader();
        Assert.True(leaderOnly.RequiresLeader);
        var key = Keys.Unique("noleader") + "k";
        await leaderOnly.KV.PutAsync(key, "v");
        await using var watch = await WatchReader.CreatedAsync(leaderOnly.Watch, key, new WatchOptions());

        await Cluster.KillAsync(1);
        await Cluster.KillAsync(2);
        EtcdException? refused = null;
        await Poll.UntilAsync(
            async () =>
            {
                try
                {
                    await leaderOnly.KV.PutAsync(key, "w");
                    return false;
                }
                catch (EtcdException e) when (ReferenceEquals(e.Error, EtcdErrors.NoLeader))
                {
                    refused = e;
                    return true;
                }
            },
            Bound,
            "the lone member to answer 'no leader'");
        Assert.Equal(Grpc.StatusCode.Unavailable, refused!.StatusCode);

        var ended = await Assert.ThrowsAsync<EtcdException>(watch.NextAsync);
        Assert.Same(EtcdErrors.NoLeader, ended.Error);
        var serializable = await client.KV.GetAsync(key, new GetOptions { Serializable = true });
        Assert.Equal("v", serializable.Kvs[0].Value.ToStringUtf8());
    }
}

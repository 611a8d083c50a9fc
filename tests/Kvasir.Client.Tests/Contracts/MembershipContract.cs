using Kvasir.Api.Errors;
using Kvasir.Client.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Client.Tests.Contracts;

/// <summary>Changing the membership: a learner added, its URLs updated, a promotion refused while it lags, removed.</summary>
public abstract class MembershipContract(ServerFixture server)
{
    private ServerFixture Server { get; } = server;

    [ServerFact]
    public async Task MemberAddLearnerUpdatePromoteRemove_AsEtcdAnswers()
    {
        var client = await Server.StartAsync();
        var added = await client.Cluster.MemberAddAsync([$"http://127.0.0.1:{FreePort.Next()}"], isLearner: true);
        Assert.True(added.Member.IsLearner);
        Assert.Equal(2, added.Members.Count);

        var newUrl = $"http://127.0.0.1:{FreePort.Next()}";
        await client.Cluster.MemberUpdateAsync(added.Member.ID, [newUrl]);
        Assert.Contains((await client.Cluster.MemberListAsync()).Members, m => m.ID == added.Member.ID && m.PeerURLs.Contains(newUrl));

        // The learner never started, so it cannot be in sync with the leader.
        var promote = await Assert.ThrowsAsync<EtcdException>(() => client.Cluster.MemberPromoteAsync(added.Member.ID));
        Assert.Same(EtcdErrors.LearnerNotReady, promote.Error);

        await client.Cluster.MemberRemoveAsync(added.Member.ID);
        Assert.Single((await client.Cluster.MemberListAsync()).Members);
        var again = await Assert.ThrowsAsync<EtcdException>(() => client.Cluster.MemberRemoveAsync(added.Member.ID));
        Assert.Same(EtcdErrors.MemberNotFound, again.Error);
    }
}

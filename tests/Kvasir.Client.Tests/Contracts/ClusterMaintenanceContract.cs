using System.Security.Cryptography;
using Kvasir.Api.Errors;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Client.Tests.Support;

namespace Kvasir.Client.Tests.Contracts;

/// <summary>The Cluster and Maintenance services through the client, against a one-member cluster.</summary>
public abstract class ClusterMaintenanceContract(ServerFixture server)
{
    protected ServerFixture Server { get; } = server;

    [ServerFact]
    public async Task MemberList_OneMember_WithItsClientUrl()
    {
        var client = await Server.StartAsync();
        var members = await client.Cluster.MemberListAsync();
        var member = Assert.Single(members.Members);
        Assert.Contains($"http://{Server.Endpoint}", member.ClientURLs);
        Assert.False(member.IsLearner);
        Assert.NotEqual(0UL, members.Header.MemberId);
    }

    [ServerFact]
    public async Task MemberAdd_NoOrEmptyUrls_RefusedBeforeSending()
    {
        var client = await Server.StartAsync();
        await Assert.ThrowsAsync<ArgumentException>(() => client.Cluster.MemberAddAsync([]));
        await Assert.ThrowsAsync<ArgumentException>(() => client.Cluster.MemberAddAsync([" "]));
        Assert.Single((await client.Cluster.MemberListAsync()).Members);
    }

    [ServerFact]
    public async Task Status_CurrentAndNamedEndpoint_SameMember()
    {
        var client = await Server.StartAsync();
        var status = await client.Maintenance.StatusAsync();
        var named = await client.Maintenance.StatusAsync(Server.Endpoint);
        Assert.Equal(status.Header.MemberId, named.Header.MemberId);
        Assert.Equal(status.Header.MemberId, status.Leader);
        Assert.False(string.IsNullOrEmpty(status.Version));
        Assert.True(status.DbSize > 0 && status.RaftIndex > 0 && status.RaftTerm > 0);
    }

    [ServerFact]
    public async Task Alarm_NoSpaceRaised_WritesRefusedUntilDisarmed()
    {
        var client = await Server.StartAsync();
        var member = (await client.Maintenance.StatusAsync()).Header.MemberId;
        Assert.Empty((await client.Maintenance.AlarmListAsync()).Alarms);
        var key = Keys.Unique("maint") + "k";
        try
        {
            await client.Maintenance.AlarmActivateAsync(member, AlarmType.Nospace);
            var alarm = Assert.Single((await client.Maintenance.AlarmListAsync()).Alarms);
            Assert.Equal((member, AlarmType.Nospace), (alarm.MemberID, alarm.Alarm));
            var e = await Assert.ThrowsAsync<EtcdException>(() => client.KV.PutAsync(key, "v"));
            Assert.Same(EtcdErrors.NoSpace, e.Error);
        }
        finally
        {
            await client.Maintenance.AlarmDisarmAsync(member, AlarmType.Nospace);
        }

        Assert.Empty((await client.Maintenance.AlarmListAsync()).Alarms);
        await client.KV.PutAsync(key, "v");
    }

    [ServerFact]
    public async Task DefragmentHashHashKv_Answer()
    {
        var client = await Server.StartAsync();
        var put = await client.KV.PutAsync(Keys.Unique("maint") + "k", "v");
        await client.Maintenance.DefragmentAsync();
        await client.Maintenance.DefragmentAsync(Server.Endpoint);
        Assert.NotEqual(0U, (await client.Maintenance.HashAsync()).Hash);
        var atPut = await client.Maintenance.HashKvAsync(put.Header.Revision);
        var again = await client.Maintenance.HashKvAsync(Server.Endpoint, put.Header.Revision);
        Assert.Equal(atPut.Hash, again.Hash);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.Maintenance.HashKvAsync(-1));
    }

    [ServerFact]
    public async Task Snapshot_ToStream_DatabaseFollowedByItsSha256()
    {
        var client = await Server.StartAsync();
        var put = await client.KV.PutAsync(Keys.Unique("maint") + "k", "v");
        using var file = new MemoryStream();
        var result = await client.Maintenance.SnapshotAsync(file);
        Assert.Equal(file.Length, result.Bytes);
        Assert.True(result.Revision == 0 || result.Revision >= put.Header.Revision, "etcd 3.4 sends no header; later versions the store revision");
        var bytes = file.ToArray();
        Assert.Equal(SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)), bytes[^32..]);
    }

    [ServerFact]
    public async Task MoveLeader_UnknownTarget_BadLeaderTransferee()
    {
        var client = await Server.StartAsync();
        var e = await Assert.ThrowsAsync<EtcdException>(() => client.Maintenance.MoveLeaderAsync(0x1234_5678));
        Assert.Same(EtcdErrors.BadLeaderTransferee, e.Error);
    }
}

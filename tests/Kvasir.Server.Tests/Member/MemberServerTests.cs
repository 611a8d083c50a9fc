using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Server.Member;
using Kvasir.Server.Tests.Support;

namespace Kvasir.Server.Tests.Member;

/// <summary>The member's core in-process: bootstrap, proposals, reads, restart, refusals.</summary>
public sealed class MemberServerTests
{
    [Fact]
    public async Task Open_NewDataDir_BootstrapsEtcdsIdsAndLeads()
    {
        await using var m = await InProcessMember.StartAsync();
        Assert.Equal("8e9e05c52164694d", MemberIds.Hex(m.Server.MemberId));
        Assert.Equal("cdf818194e3a8c32", MemberIds.Hex(m.Server.ClusterId));
        Assert.Equal(m.Server.MemberId, m.Server.LeaderId);
        var self = Assert.Single(m.Server.Members.List());
        Assert.Equal(["http://localhost:2380"], self.PeerUrls);
        Assert.Equal("default", self.Name);
    }

    [Fact]
    public async Task ProposeAsync_ConcurrentPuts_EachAppliedOnceWithItsOwnRevision()
    {
        await using var m = await InProcessMember.StartAsync();
        var puts = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => m.PutAsync($"k{i}", $"v{i}")));
        var revisions = puts.Select(p => p.Header.Revision).Order().ToArray();
        Assert.Equal(Enumerable.Range(2, 200).Select(i => (long)i).ToArray(), revisions);
        Assert.Equal(201, m.Server.Store.CurrentRevision);
        await m.Server.WaitLinearizableAsync(CancellationToken.None);
        Assert.True(m.Server.AppliedIndex >= m.Server.CommittedIndex - 1);
    }

    [Fact]
    public async Task Restart_AfterGracefulStop_KeepsEveryWriteAndTheIds()
    {
        await using var m = await InProcessMember.StartAsync();
        for (var i = 0; i < 50; i++)
        {
            await m.PutAsync($"k{i}", $"v{i}");
        }

        var ids = (m.Server.MemberId, m.Server.ClusterId);
        await m.RestartAsync();
        Assert.Equal(ids, (m.Server.MemberId, m.Server.ClusterId));
        Assert.Equal(51, m.Server.Store.CurrentRevision);
        var all = m.Server.Store.Range(new RangeRequest { Key = ByteString.CopyFromUtf8("k"), RangeEnd = ByteString.CopyFromUtf8("l") });
        Assert.Equal(50, all.Response!.Count);
        Assert.Equal(52, (await m.PutAsync("after", "restart")).Header.Revision);
    }

    [Fact]
    public async Task ProposeAsync_OverMaxRequestBytes_RequestTooLargeAndNothingChanges()
    {
        await using var m = await InProcessMember.StartAsync(null, "--max-request-bytes", "1024");
        var before = (m.Server.Store.CurrentRevision, m.Server.CommittedIndex);
        var big = new InternalRaftRequest { Put = new PutRequest { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFrom(new byte[1100]) } };
        var error = await Assert.ThrowsAsync<RpcException>(() => m.Server.ProposeAsync(big, CancellationToken.None));
        Assert.Equal((StatusCode.InvalidArgument, "etcdserver: request is too large"), (error.StatusCode, error.Message));
        Assert.Equal(before, (m.Server.Store.CurrentRevision, m.Server.CommittedIndex));
    }

    [Fact]
    public async Task ProposeAsync_AfterStop_ServerStopped()
    {
        var m = await InProcessMember.StartAsync();
        await m.Server.StopAsync(CancellationToken.None);
        var error = await Assert.ThrowsAsync<RpcException>(() => m.PutAsync("k", "v"));
        Assert.Equal((StatusCode.Unavailable, "etcdserver: server stopped"), (error.StatusCode, error.Message));
        await Assert.ThrowsAsync<RpcException>(() => m.Server.WaitLinearizableAsync(CancellationToken.None));
        await m.DisposeAsync();
    }

    [Fact]
    public async Task ProposeAsync_CallerCancels_OperationCanceled()
    {
        await using var m = await InProcessMember.StartAsync();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var put = new InternalRaftRequest { Put = new PutRequest { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("v") } };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => m.Server.ProposeAsync(put, cts.Token));
        await Poll(m);
    }

    [Fact]
    public async Task Alarms_ActivatedThenRestart_PersistInTheAlarmBucket()
    {
        await using var m = await InProcessMember.StartAsync();
        var activate = new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Activate, MemberID = m.Server.MemberId, Alarm = AlarmType.Nospace };
        var result = await m.Server.ProposeAsync(new InternalRaftRequest { Alarm = activate }, CancellationToken.None);
        Assert.Equal(AlarmType.Nospace, Assert.Single(((AlarmResponse)result.Response!).Alarms).Alarm);
        await m.RestartAsync();
        Assert.True(m.Server.Alarms.NoSpace);
        var refused = await m.Server.ProposeAsync(new InternalRaftRequest { Put = new PutRequest { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFromUtf8("v") } }, CancellationToken.None);
        Assert.Equal("etcdserver: mvcc: database space exceeded", refused.Error!.Message);
        Assert.Equal(1, m.Server.Store.CurrentRevision);
    }

    private static Task Poll(InProcessMember m) =>
        Testing.Poll.UntilAsync(() => m.Server.PendingProposals == 0, TimeSpan.FromSeconds(10), "the canceled proposal to leave the registry");
}

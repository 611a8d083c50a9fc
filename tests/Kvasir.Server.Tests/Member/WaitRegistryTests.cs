using Kvasir.Api.Etcdserverpb;
using Kvasir.Grpc;
using Kvasir.Server.Member;

namespace Kvasir.Server.Tests.Member;

public sealed class WaitRegistryTests
{
    [Fact]
    public async Task Trigger_Registered_CompletesOnceAndForgets()
    {
        var waits = new WaitRegistry();
        var waiter = waits.Register(7, deadline: 100);
        Assert.True(waits.Trigger(7, AppliedResult.Of(new PutResponse())));
        Assert.False(waits.Trigger(7, AppliedResult.Of(new PutResponse())));
        Assert.IsType<PutResponse>((await waiter.Task).Response);
        Assert.Equal(0, waits.Count);
    }

    [Fact]
    public async Task ExpireDue_PastDeadline_FailsOnlyThoseWithTheError()
    {
        var waits = new WaitRegistry();
        var early = waits.Register(1, deadline: 10);
        var late = waits.Register(2, deadline: 20);
        Assert.Equal(1, waits.ExpireDue(15, () => new RpcException(StatusCode.Unavailable, "etcdserver: request timed out")));
        var error = await Assert.ThrowsAsync<RpcException>(() => early.Task);
        Assert.Equal("etcdserver: request timed out", error.Message);
        Assert.False(late.Task.IsCompleted);
        Assert.Equal(1, waits.Count);
    }

    [Fact]
    public async Task FailAll_Stopping_FailsEveryWaiter()
    {
        var waits = new WaitRegistry();
        var tasks = Enumerable.Range(1, 100).Select(i => waits.Register((ulong)i, long.MaxValue).Task).ToList();
        waits.FailAll(new RpcException(StatusCode.Unavailable, "etcdserver: server stopped"));
        foreach (var t in tasks)
        {
            await Assert.ThrowsAsync<RpcException>(() => t);
        }

        Assert.Equal(0, waits.Count);
    }

    [Fact]
    public void Register_SameIdTwice_Throws()
    {
        var waits = new WaitRegistry();
        waits.Register(3, 1);
        Assert.Throws<InvalidOperationException>(() => waits.Register(3, 1));
    }
}

using System.Buffers.Binary;
using Google.Protobuf;
using Kvasir.Grpc;
using Kvasir.Raft;
using Kvasir.Server.Member;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Member;

public sealed class ReadIndexCoordinatorTests
{
    private readonly ManualTimeProvider _clock = new(ManualTimerOptions.LikeRealTimers);
    private readonly List<ByteString> _sent = [];

    [Fact]
    public async Task NextAsync_ReadsDuringARound_ShareTheNextRound()
    {
        var reads = Coordinator();
        var first = reads.NextAsync();
        var second = reads.NextAsync();
        var third = reads.NextAsync();
        Assert.Single(_sent);

        reads.OnReadStates([new ReadState(10, _sent[0])]);
        Assert.Equal(10UL, await first);
        Assert.Equal(2, _sent.Count);
        Assert.Same(second, third);

        reads.OnReadStates([new ReadState(12, _sent[1])]);
        Assert.Equal(12UL, await second);
    }

    [Fact]
    public async Task OnTick_RoundUnansweredPastTheTimeout_ReadsTimeOutAndAStaleAnswerIsIgnored()
    {
        var reads = Coordinator();
        var read = reads.NextAsync();
        _clock.Advance(TimeSpan.FromMilliseconds(600));
        reads.OnTick();
        Assert.Equal(2, _sent.Count);
        Assert.Equal(_sent[0], _sent[1]);

        _clock.Advance(TimeSpan.FromSeconds(7));
        reads.OnTick();
        var error = await Assert.ThrowsAsync<RpcException>(() => read);
        Assert.Equal("etcdserver: request timed out", error.Message);
        reads.OnReadStates([new ReadState(5, _sent[0])]);
    }

    [Fact]
    public async Task OnRefused_RoundInFlight_FailsItsReads()
    {
        var reads = Coordinator();
        var read = reads.NextAsync();
        reads.OnRefused(_sent[0], new RpcException(StatusCode.Unavailable, "etcdserver: no leader"));
        Assert.Equal("etcdserver: no leader", (await Assert.ThrowsAsync<RpcException>(() => read)).Message);
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64BigEndian(_sent[0].Span));
    }

    private ReadIndexCoordinator Coordinator() =>
        new(c =>
        {
            _sent.Add(c);
            return true;
        }, _clock, TimeSpan.FromSeconds(7), () => new RpcException(StatusCode.Unavailable, "etcdserver: request timed out"));
}

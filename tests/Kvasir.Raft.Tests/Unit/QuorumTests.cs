using Kvasir.Raft.Quorum;

namespace Kvasir.Raft.Tests.Unit;

public sealed class QuorumTests
{
    private sealed class Acks(Dictionary<ulong, ulong> acks) : IAckedIndexer
    {
        public bool TryGetAckedIndex(ulong id, out ulong index) => acks.TryGetValue(id, out index);
    }

    private static MajorityConfig M(params ulong[] ids) => MajorityConfig.Of(ids);

    [Theory]
    [InlineData(new ulong[] { 1 }, new ulong[] { 5 }, 5UL)]
    [InlineData(new ulong[] { 1, 2, 3 }, new ulong[] { 5, 3, 1 }, 3UL)]
    [InlineData(new ulong[] { 1, 2, 3 }, new ulong[] { 5, 0, 0 }, 0UL)]
    [InlineData(new ulong[] { 1, 2, 3, 4 }, new ulong[] { 9, 8, 7, 6 }, 7UL)]
    [InlineData(new ulong[] { 1, 2, 3, 4, 5 }, new ulong[] { 9, 8, 7, 6, 5 }, 7UL)]
    public void MajorityCommittedIndex_IsWhatAMajorityHasAcknowledged(ulong[] ids, ulong[] acked, ulong expected)
    {
        var acks = new Dictionary<ulong, ulong>();
        for (var i = 0; i < ids.Length; i++)
        {
            acks[ids[i]] = acked[i];
        }

        Assert.Equal(expected, M(ids).CommittedIndex(new Acks(acks)));
    }

    [Fact]
    public void MajorityCommittedIndex_MissingVoterCountsAsZero_EmptyConfigIsUnbounded()
    {
        Assert.Equal(0UL, M(1, 2, 3).CommittedIndex(new Acks(new() { [1] = 7 })));
        Assert.Equal(ulong.MaxValue, MajorityConfig.Empty.CommittedIndex(new Acks([])));
    }

    [Fact]
    public void JointCommittedIndex_IsTheMinimumOfBothHalves()
    {
        var acks = new Acks(new() { [1] = 9, [2] = 9, [3] = 1, [4] = 2, [5] = 2 });
        var joint = new JointConfig(M(1, 2, 3), M(3, 4, 5));
        Assert.Equal(2UL, joint.CommittedIndex(acks));
        Assert.Equal(9UL, new JointConfig(M(1, 2, 3), MajorityConfig.Empty).CommittedIndex(acks));
    }

    [Fact]
    public void MajorityVote_WonLostOrPending()
    {
        var c = M(1, 2, 3);
        Assert.Equal(VoteResult.Pending, c.VoteResult([]));
        Assert.Equal(VoteResult.Pending, c.VoteResult(new() { [1] = true }));
        Assert.Equal(VoteResult.Won, c.VoteResult(new() { [1] = true, [2] = true }));
        Assert.Equal(VoteResult.Lost, c.VoteResult(new() { [1] = false, [2] = false }));
        Assert.Equal(VoteResult.Pending, c.VoteResult(new() { [1] = true, [2] = false }));
        Assert.Equal(VoteResult.Won, MajorityConfig.Empty.VoteResult([]));
    }

    [Fact]
    public void JointVote_NeedsBothHalves()
    {
        var j = new JointConfig(M(1, 2, 3), M(3, 4, 5));
        Assert.Equal(VoteResult.Pending, j.VoteResult(new() { [1] = true, [2] = true }));
        Assert.Equal(VoteResult.Won, j.VoteResult(new() { [1] = true, [2] = true, [4] = true, [5] = true }));
        Assert.Equal(VoteResult.Lost, j.VoteResult(new() { [1] = true, [2] = true, [4] = false, [5] = false }));
    }

    [Fact]
    public void MajorityConfig_IsASortedImmutableSet()
    {
        var c = M(3, 1, 2, 3);
        Assert.Equal([1UL, 2UL, 3UL], c.ToArray());
        var d = c.With(0).Without(2);
        Assert.Equal([0UL, 1UL, 3UL], d.ToArray());
        Assert.Equal([1UL, 2UL, 3UL], c.ToArray());
        Assert.Same(c, c.With(2));
        Assert.Same(c, c.Without(9));
        Assert.Equal("(1 2 3)&&(3 4)", new JointConfig(c, M(3, 4)).ToString());
        Assert.Equal([1UL, 2UL, 3UL, 4UL], new JointConfig(c, M(3, 4)).Ids());
    }
}

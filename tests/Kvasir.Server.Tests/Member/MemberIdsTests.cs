using Kvasir.Server.Member;

namespace Kvasir.Server.Tests.Member;

public sealed class MemberIdsTests
{
    [Fact]
    public void ComputeMemberId_EtcdDefaults_GivesEtcdsWellKnownIds()
    {
        // etcd started with no flags is member 8e9e05c52164694d of cluster cdf818194e3a8c32.
        var member = MemberIds.ComputeMemberId(["http://localhost:2380"], "etcd-cluster");
        Assert.Equal("8e9e05c52164694d", MemberIds.Hex(member));
        Assert.Equal("cdf818194e3a8c32", MemberIds.Hex(MemberIds.ComputeClusterId([member])));
    }

    [Fact]
    public void ComputeMemberId_UrlOrder_DoesNotMatter()
    {
        Assert.Equal(
            MemberIds.ComputeMemberId(["http://b:2380", "http://a:2380"], "t"),
            MemberIds.ComputeMemberId(["http://a:2380", "http://b:2380"], "t"));
        Assert.NotEqual(MemberIds.ComputeMemberId(["http://a:2380"], "t"), MemberIds.ComputeMemberId(["http://a:2380"], "u"));
    }

    [Fact]
    public void RequestIdGenerator_Next_MemberBitsOnTopAndCountsUp()
    {
        var ids = new RequestIdGenerator(0x8e9e05c52164694d, DateTimeOffset.FromUnixTimeMilliseconds(0x12_3456_789A));
        var first = ids.Next();
        Assert.Equal(0x694dUL, first >> 48);
        Assert.Equal((0x12_3456_789AUL << 8) + 1, first & ((1UL << 48) - 1));
        Assert.Equal(first + 1, ids.Next());
    }
}

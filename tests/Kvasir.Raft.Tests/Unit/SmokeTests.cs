using Kvasir.Raft.Tests.Harness;

namespace Kvasir.Raft.Tests.Unit;

public sealed class SmokeTests
{
    [Fact]
    public void ThreeNodes_CampaignAndPropose_EveryNodeApplies()
    {
        var nt = TestNetwork.OfVoters(3);
        nt.Campaign(1);
        Assert.Equal(StateType.Leader, nt[1].R.State);
        Assert.Equal(ProposalResult.Accepted, nt.Propose(1, "a"));
        Assert.Equal(ProposalResult.Accepted, nt.Propose(2, "b"));
        foreach (var n in nt.Nodes.Values)
        {
            Assert.Equal(["a", "b"], n.AppliedData());
        }
    }
}

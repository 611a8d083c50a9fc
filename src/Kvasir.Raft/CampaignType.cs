namespace Kvasir.Raft;

/// <summary>Why a node starts an election.</summary>
internal enum CampaignType
{
    /// <summary>The first phase when pre-vote is on: ask without raising the term.</summary>
    PreElection,

    /// <summary>A normal election (after the election timeout, or after winning a pre-vote).</summary>
    Election,

    /// <summary>Asked by the leader (MsgTimeoutNow): voters skip the lease check, no pre-vote.</summary>
    Transfer,
}

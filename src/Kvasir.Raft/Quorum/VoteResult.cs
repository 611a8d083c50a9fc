namespace Kvasir.Raft.Quorum;

/// <summary>The state of an election as far as the votes received tell.</summary>
internal enum VoteResult
{
    /// <summary>Not decided: enough voters have not answered yet.</summary>
    Pending = 0,

    /// <summary>Lost: the missing voters cannot make a quorum any more.</summary>
    Lost = 1,

    /// <summary>Won: a quorum granted the vote.</summary>
    Won = 2,
}

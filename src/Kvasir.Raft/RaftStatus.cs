namespace Kvasir.Raft;

/// <summary>
/// A snapshot of a node's state for the host: who leads, term and commit, the membership, and
/// on the leader the replication progress of every member (the member decides from it whether a
/// learner is caught up enough to promote, and reports leader, term and commit index).
/// </summary>
public sealed class RaftStatus
{
    internal RaftStatus(
        ulong id,
        HardState hardState,
        SoftState softState,
        ulong applied,
        ulong leadTransferee,
        ConfState config,
        IReadOnlyDictionary<ulong, ProgressStatus> progress)
    {
        Id = id;
        Term = hardState.Term;
        Vote = hardState.Vote;
        Commit = hardState.Commit;
        Lead = softState.Lead;
        RaftState = softState.RaftState;
        Applied = applied;
        LeadTransferee = leadTransferee;
        Config = config;
        Progress = progress;
    }

    public ulong Id { get; }

    public ulong Term { get; }

    public ulong Vote { get; }

    /// <summary>The commit index as this node knows it.</summary>
    public ulong Commit { get; }

    /// <summary>The leader's id, or 0 when unknown.</summary>
    public ulong Lead { get; }

    public StateType RaftState { get; }

    /// <summary>The index the host has acknowledged applying (through Advance).</summary>
    public ulong Applied { get; }

    /// <summary>The target of a leader transfer in progress, or 0.</summary>
    public ulong LeadTransferee { get; }

    /// <summary>The membership in force (voters, outgoing voters while joint, learners).</summary>
    public ConfState Config { get; }

    /// <summary>Every member's progress, by id, including the leader's own; empty unless this node leads.</summary>
    public IReadOnlyDictionary<ulong, ProgressStatus> Progress { get; }

    public override string ToString() =>
        $"id={Id} term={Term} vote={Vote} commit={Commit} lead={Lead} state={RaftState} applied={Applied} leadTransferee={LeadTransferee}";
}

namespace Kvasir.Raft;

/// <summary>
/// State that is useful to the host but need not be persisted: who leads, and which role this
/// node plays. A Ready carries it only when it changed.
/// </summary>
/// <param name="Lead">The leader's id, or 0 when this node knows of no leader.</param>
/// <param name="RaftState">This node's role.</param>
public readonly record struct SoftState(ulong Lead, StateType RaftState);

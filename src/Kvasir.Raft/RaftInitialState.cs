namespace Kvasir.Raft;

/// <summary>What a restarting node reads first: the persisted HardState and the configuration of its latest snapshot.</summary>
/// <param name="HardState">Term, vote and commit as last persisted; all zero on a new node.</param>
/// <param name="ConfState">The membership as of the snapshot; entries after the snapshot may change it further.</param>
public readonly record struct RaftInitialState(HardState HardState, ConfState ConfState);

namespace Kvasir.Raft.Quorum;

/// <summary>Tells, for a voter, the highest index it has acknowledged.</summary>
internal interface IAckedIndexer
{
    /// <summary>False when the voter has acknowledged nothing.</summary>
    bool TryGetAckedIndex(ulong id, out ulong index);
}

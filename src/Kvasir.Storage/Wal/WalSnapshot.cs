namespace Kvasir.Storage.Wal;

/// <summary>
/// Where a WAL is opened: the index and term of the Raft snapshot the member starts from (from the
/// newest usable .snap file), or <see cref="None"/> for a member without one. The WAL must hold a
/// snapshot marker with exactly this index and term.
/// </summary>
public readonly record struct WalSnapshot(ulong Index, ulong Term)
{
    /// <summary>No snapshot: index 0, term 0 (the marker every new WAL starts with).</summary>
    public static WalSnapshot None => default;

    public override string ToString() => $"index {Index} term {Term}";
}

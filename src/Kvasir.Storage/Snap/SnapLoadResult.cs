namespace Kvasir.Storage.Snap;

/// <summary>The snapshot loaded (null when none is usable) and the newer files passed over on the way.</summary>
public sealed record SnapLoadResult(RaftSnapshot? Snapshot, IReadOnlyList<SnapSkipped> Skipped);

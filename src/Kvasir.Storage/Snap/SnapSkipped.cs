namespace Kvasir.Storage.Snap;

/// <summary>A snapshot file passed over while loading, and why.</summary>
public sealed record SnapSkipped(string File, string Reason);

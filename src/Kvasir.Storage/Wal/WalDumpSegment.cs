namespace Kvasir.Storage.Wal;

/// <summary>One segment as <see cref="WalDump"/> shows it: its records up to where reading stopped, and why it stopped.</summary>
/// <param name="File">The segment's full name.</param>
/// <param name="Records">The records read.</param>
/// <param name="EndOffset">Where the records end.</param>
/// <param name="Torn">The torn tail that opening would cut off (last segment only).</param>
/// <param name="Problem">What made reading stop early (corruption, an unknown version), or null.</param>
public sealed record WalDumpSegment(string File, IReadOnlyList<WalDumpRecord> Records, long EndOffset, WalTornTail? Torn, string? Problem);

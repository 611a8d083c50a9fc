namespace Kvasir.Storage.Wal;

/// <summary>Counters of a WAL since it was opened.</summary>
/// <param name="Appends">Appends taken (each one Ready's worth: entries and/or hard state, or a snapshot marker).</param>
/// <param name="Entries">Entries written.</param>
/// <param name="Batches">Batches written (one pwrite per segment touched).</param>
/// <param name="Syncs">fdatasync calls on segments (the group commits).</param>
/// <param name="BytesWritten">Record bytes written.</param>
/// <param name="SegmentsCut">Segments started after the one opened.</param>
public readonly record struct WalStatistics(long Appends, long Entries, long Batches, long Syncs, long BytesWritten, long SegmentsCut);

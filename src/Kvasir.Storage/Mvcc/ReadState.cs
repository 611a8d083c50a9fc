namespace Kvasir.Storage.Mvcc;

/// <summary>
/// What readers may see, published as one immutable object by the writer after each change: the current
/// and compacted revisions and the buffer of rows not yet committed to the backend. A reader takes one
/// state and answers as of it; every row at or below <see cref="CurrentRev"/> is in the backend's
/// committed data or in <see cref="Buffer"/>.
/// </summary>
internal sealed class ReadState(long currentRev, long compactRev, WriteBuffer buffer)
{
    public long CurrentRev { get; } = currentRev;

    /// <summary>The compacted main revision, -1 before the first compaction.</summary>
    public long CompactRev { get; } = compactRev;

    public WriteBuffer Buffer { get; } = buffer;
}

namespace Kvasir.Storage.Wal;

/// <summary>
/// A stretch of a batch's buffer bound for one segment: <see cref="Length"/> bytes from
/// <see cref="Start"/> go to <see cref="FileOffset"/> of segment <see cref="Seq"/>. A run with
/// <see cref="NewSegment"/> begins a segment (its header first): the flusher seals the current
/// segment and writes this run into the next file before it gets its name.
/// </summary>
internal struct WalRun
{
    public ulong Seq;
    public ulong NameIndex;
    public long FileOffset;
    public int Start;
    public int Length;
    public bool NewSegment;
}

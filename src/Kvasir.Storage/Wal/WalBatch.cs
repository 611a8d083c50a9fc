using System.Buffers;

namespace Kvasir.Storage.Wal;

/// <summary>
/// One group commit: the encoded records of many appends, written with one pwrite per segment and
/// one fdatasync. Appenders fill it under the WAL's lock; the flusher owns it from the swap until
/// it is done. Two exist and alternate: one filling, one flushing.
/// </summary>
internal sealed class WalBatch
{
    private const int InitialBytes = 64 * 1024;
    private const int KeepBytes = 4 * 1024 * 1024;

    private WalRun[] _runs = new WalRun[2];

    public WalBatch()
    {
        Buffer = ArrayPool<byte>.Shared.Rent(InitialBytes);
        Done = NewDone();
    }

    public byte[] Buffer { get; private set; }

    public int Length { get; private set; }

    public int RunCount { get; private set; }

    public long Sequence { get; private set; }

    /// <summary>Completed when the batch is written, and synced if <see cref="MustSync"/>; faulted with <see cref="WalFatalException"/>.</summary>
    public TaskCompletionSource Done { get; private set; }

    public bool MustSync { get; set; }

    public int Appends { get; set; }

    public int Entries { get; set; }

    /// <summary>The log's last index once this batch is in (it may be lower than an earlier batch's after a replacement).</summary>
    public ulong LastIndex { get; set; }

    /// <summary>The commit of the last hard state in this batch (0 when none).</summary>
    public ulong Commit { get; set; }

    /// <summary>The index of the last snapshot marker in this batch (0 when none).</summary>
    public ulong SnapshotIndex { get; set; }

    /// <summary>When the first append arrived (TimeProvider timestamp).</summary>
    public long FirstAppendTimestamp { get; set; }

    public bool IsEmpty => Length == 0;

    public ref WalRun Run(int i) => ref _runs[i];

    public ReadOnlySpan<byte> Bytes(in WalRun run) => Buffer.AsSpan(run.Start, run.Length);

    /// <summary>Begins a run for segment <paramref name="seq"/> at <paramref name="fileOffset"/>.</summary>
    public void StartRun(ulong seq, ulong nameIndex, long fileOffset, bool newSegment)
    {
        if (RunCount == _runs.Length)
        {
            Array.Resize(ref _runs, _runs.Length * 2);
        }

        _runs[RunCount++] = new WalRun { Seq = seq, NameIndex = nameIndex, FileOffset = fileOffset, Start = Length, Length = 0, NewSegment = newSegment };
    }

    /// <summary>Reserves <paramref name="size"/> bytes at the end of the current run.</summary>
    public Span<byte> Reserve(int size)
    {
        if (Buffer.Length - Length < size)
        {
            Grow(size);
        }

        var span = Buffer.AsSpan(Length, size);
        Length += size;
        _runs[RunCount - 1].Length += size;
        return span;
    }

    /// <summary>Empties the batch for reuse as <paramref name="sequence"/>, with a fresh completion.</summary>
    public void Reset(long sequence)
    {
        if (Buffer.Length > KeepBytes)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
            Buffer = ArrayPool<byte>.Shared.Rent(InitialBytes);
        }

        Length = 0;
        RunCount = 0;
        Sequence = sequence;
        MustSync = false;
        Appends = 0;
        Entries = 0;
        LastIndex = 0;
        SnapshotIndex = 0;
        Commit = 0;
        FirstAppendTimestamp = 0;
        Done = NewDone();
    }

    public void Release()
    {
        ArrayPool<byte>.Shared.Return(Buffer);
        Buffer = [];
    }

    private void Grow(int size)
    {
        var need = (long)Length + size;
        if (need > Array.MaxLength)
        {
            throw new InvalidOperationException("wal: a batch cannot exceed 2 GiB");
        }

        var next = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(need, (long)Buffer.Length * 2)));
        Buffer.AsSpan(0, Length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(Buffer);
        Buffer = next;
    }

    private static TaskCompletionSource NewDone() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

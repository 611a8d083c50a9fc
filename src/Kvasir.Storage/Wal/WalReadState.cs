namespace Kvasir.Storage.Wal;

/// <summary>What opening for append needs beyond <see cref="WalReadResult"/>: where and how the log ends.</summary>
internal sealed class WalReadState
{
    public required WalReadResult Log { get; init; }

    /// <summary>Every segment on the device, in seq order.</summary>
    public required List<WalSegmentName> Segments { get; init; }

    /// <summary>The end of the last verified record of the last segment.</summary>
    public long EndOffset { get; init; }

    public uint LastCrc { get; init; }

    /// <summary>Whether the last segment holds a record past its preamble.</summary>
    public bool LastHasBody { get; init; }

    /// <summary>The index of the last snapshot marker read.</summary>
    public ulong LastSnapshotIndex { get; init; }
}

using Kvasir.Raft;

namespace Kvasir.Server.Member;

/// <summary>
/// Committed entries handed from the Raft loop to the applier, in log order, every one of them
/// durable in this member's WAL. <see cref="ConfState"/> is the configuration in force after the
/// last conf change among them (the Raft loop has applied those to Raft already), null when there
/// is none.
/// </summary>
internal sealed class ApplyBatch(IReadOnlyList<Entry> entries, ConfState? confState, ulong confStateIndex)
{
    public IReadOnlyList<Entry> Entries { get; } = entries;

    public ConfState? ConfState { get; } = confState;

    /// <summary>The index of the conf change entry that produced <see cref="ConfState"/>.</summary>
    public ulong ConfStateIndex { get; } = confStateIndex;

    /// <summary>The entries' payload bytes.</summary>
    public long Bytes { get; } = SumBytes(entries);

    /// <summary>The index of the last entry.</summary>
    public ulong LastIndex => Entries[^1].Index;

    private static long SumBytes(IReadOnlyList<Entry> entries)
    {
        long bytes = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            bytes += entries[i].Data.Length;
        }

        return bytes;
    }
}

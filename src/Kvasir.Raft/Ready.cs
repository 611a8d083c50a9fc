namespace Kvasir.Raft;

/// <summary>
/// Everything a node decided since the last Ready, for the host to persist, send and apply —
/// then acknowledge with <see cref="RawNode.Advance"/>.
/// </summary>
/// <remarks>
/// <para>The contract, in order:</para>
/// <list type="number">
/// <item><see cref="EarlyMessages"/> may be sent at once, before or while the rest is persisted.</item>
/// <item>Persist <see cref="Snapshot"/>, <see cref="Entries"/> and <see cref="HardState"/>; when
/// <see cref="MustSync"/> is true they must be durable (fsync) before step 3.</item>
/// <item>Send <see cref="Messages"/>. Never before step 2: they include votes and acknowledgements of
/// entries, which promise that this node's state is durable.</item>
/// <item>Install <see cref="Snapshot"/> in the state machine, then apply <see cref="CommittedEntries"/>
/// in order (some may be among this Ready's <see cref="Entries"/>: persist first), calling
/// ApplyConfChange for conf change entries. Serve <see cref="ReadStates"/> once applied reaches their index.</item>
/// <item>Call <see cref="RawNode.Advance"/>. Only then does the node count what was persisted (its own
/// vote, its own copy of the entries) and produce the next Ready.</item>
/// </list>
/// <para>
/// Why early messages are safe: they are a leader's appends, heartbeats, snapshots, ReadIndex answers
/// and TimeoutNow, sent at a term this node has already persisted (with its vote for itself). A
/// follower that stores an entry the leader has not yet fsynced is fine: the leader counts its own
/// copy only after Advance, so an entry commits only when a quorum holds it durably, whether or not
/// that quorum includes the leader; if the leader crashes first, the entry is an ordinary uncommitted
/// one. The commit index they carry is such a quorum-durable index. None of them vouches for
/// anything this node has not yet persisted, and none carries a term this node could forget.
/// </para>
/// <para>The lists belong to the host once handed out; Raft never touches them again. Entries are shared, never to be changed.</para>
/// </remarks>
public sealed class Ready
{
    internal Ready(
        SoftState? softState,
        HardState? hardState,
        IReadOnlyList<ReadState> readStates,
        IReadOnlyList<Entry> entries,
        Snapshot? snapshot,
        IReadOnlyList<Entry> committedEntries,
        IReadOnlyList<Message> earlyMessages,
        IReadOnlyList<Message> messages,
        bool mustSync)
    {
        SoftState = softState;
        HardState = hardState;
        ReadStates = readStates;
        Entries = entries;
        Snapshot = snapshot;
        CommittedEntries = committedEntries;
        EarlyMessages = earlyMessages;
        Messages = messages;
        MustSync = mustSync;
    }

    /// <summary>The leader and this node's role, when either changed; null otherwise. Need not be persisted.</summary>
    public SoftState? SoftState { get; }

    /// <summary>Term, vote and commit to persist, when any changed; null otherwise.</summary>
    public HardState? HardState { get; }

    /// <summary>Answers to ReadIndex requests, in request order.</summary>
    public IReadOnlyList<ReadState> ReadStates { get; }

    /// <summary>Entries to append to the log (they may replace a tail already persisted, from the first one's index on).</summary>
    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>A snapshot from the leader to persist and install; null when none. It replaces the whole log.</summary>
    public Snapshot? Snapshot { get; }

    /// <summary>Entries committed and not yet handed out, to apply in order.</summary>
    public IReadOnlyList<Entry> CommittedEntries { get; }

    /// <summary>Messages that may be sent before this Ready is persisted (see the remarks for why).</summary>
    public IReadOnlyList<Message> EarlyMessages { get; }

    /// <summary>Messages to send only after Entries, HardState and Snapshot are durable.</summary>
    public IReadOnlyList<Message> Messages { get; }

    /// <summary>
    /// Whether the write must be synced to disk before <see cref="Messages"/> go out: true when there
    /// are entries or a snapshot, or the term or vote changed. A commit index alone may be written lazily.
    /// </summary>
    public bool MustSync { get; }

    /// <summary>Whether the Ready carries nothing at all.</summary>
    public bool IsEmpty => SoftState is null && HardState is null && ReadStates.Count == 0 && Entries.Count == 0
        && Snapshot is null && CommittedEntries.Count == 0 && EarlyMessages.Count == 0 && Messages.Count == 0;
}

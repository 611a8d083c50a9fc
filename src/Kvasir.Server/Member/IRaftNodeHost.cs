using Google.Protobuf;
using Kvasir.Raft;

namespace Kvasir.Server.Member;

/// <summary>
/// What the Raft loop tells the rest of the member. Every call comes from the Raft loop's thread,
/// in the order Raft decided things; none may block except <see cref="Apply"/>, which may wait
/// while the applier's bounded queue is full (back-pressure on the loop).
/// </summary>
internal interface IRaftNodeHost
{
    /// <summary>The leader or this node's role changed.</summary>
    void OnSoftState(SoftState state);

    /// <summary>A new HardState (term, vote, commit) was handed out and appended to the WAL.</summary>
    void OnHardState(HardState state);

    /// <summary>Answers to ReadIndex requests: the read may be served once applied ≥ the index.</summary>
    void OnReadStates(IReadOnlyList<ReadState> states);

    /// <summary>Raft dropped a ReadIndex request (no leader, too many pending reads).</summary>
    void OnReadIndexRefused(ByteString context, ProposalResult why);

    /// <summary>Raft dropped a proposal; its waiter must fail.</summary>
    void OnProposalRefused(ulong id, ProposalResult why);

    /// <summary>Committed, durable entries to apply in order.</summary>
    void Apply(ApplyBatch batch);

    /// <summary>The loop cannot go on (the WAL failed, an invariant broke): the member must stop.</summary>
    void OnFatal(Exception error);
}

using System.Text;

namespace Kvasir.Raft.Tracker;

/// <summary>
/// The leader's view of one follower's log. Invariant: Match &lt; Next. In Probe the leader sends
/// one append and waits; in Replicate it streams within the inflights window; in Snapshot it waits
/// for a snapshot to land. Only the leader's tracker holds meaningful values.
/// </summary>
internal sealed class Progress
{
    public Progress(ulong next, Inflights inflights, bool isLearner)
    {
        Next = next;
        Inflights = inflights;
        IsLearner = isLearner;
    }

    /// <summary>The highest index known to be durable in the follower's log.</summary>
    public ulong Match { get; set; }

    /// <summary>The index of the next entry to send.</summary>
    public ulong Next { get; set; }

    /// <summary>The highest commit index sent to the follower (it may not have received it).</summary>
    public ulong SentCommit { get; set; }

    public ProgressState State { get; private set; }

    /// <summary>In Snapshot: the index of the snapshot sent; else 0.</summary>
    public ulong PendingSnapshot { get; set; }

    /// <summary>Heard from since the last check-quorum round. Reset by the leader every election timeout.</summary>
    public bool RecentActive { get; set; }

    /// <summary>Sending appends is paused: a probe is outstanding, or the inflights window is full.</summary>
    public bool MsgAppFlowPaused { get; set; }

    public Inflights Inflights { get; private set; }

    public bool IsLearner { get; set; }

    /// <summary>The node's tick count when the follower last answered; for Status.</summary>
    public long LastResponseTick { get; set; }

    /// <summary>
    /// The latest send stamp (leader tick + 1) of a heartbeat the follower answered in this term;
    /// 0 for none. The follower refuses votes for an election timeout after receiving it, which
    /// is what a leader's lease rests on.
    /// </summary>
    public ulong LeaseStamp { get; set; }

    /// <summary>A copy for a configuration change, sharing the inflights (the old progress is dropped).</summary>
    public Progress Copy() => (Progress)MemberwiseClone();

    /// <summary>Replaces the inflights window (a leader's fresh term).</summary>
    public void ResetInflights(Inflights inflights) => Inflights = inflights;

    /// <summary>Whether the leader should hold back appends.</summary>
    public bool IsPaused => State switch
    {
        ProgressState.Probe => MsgAppFlowPaused,
        ProgressState.Replicate => MsgAppFlowPaused,
        _ => true,
    };

    public void BecomeProbe()
    {
        // Coming back from a snapshot, the follower holds at least what the snapshot covered.
        if (State == ProgressState.Snapshot)
        {
            var pending = PendingSnapshot;
            ResetState(ProgressState.Probe);
            Next = Math.Max(Match + 1, pending + 1);
        }
        else
        {
            ResetState(ProgressState.Probe);
            Next = Match + 1;
        }

        SentCommit = Math.Min(SentCommit, Next - 1);
    }

    public void BecomeReplicate()
    {
        ResetState(ProgressState.Replicate);
        Next = Match + 1;
    }

    public void BecomeSnapshot(ulong snapshotIndex)
    {
        ResetState(ProgressState.Snapshot);
        PendingSnapshot = snapshotIndex;
        Next = snapshotIndex + 1;
        SentCommit = snapshotIndex;
    }

    /// <summary>Accounts for an append of <paramref name="entries"/> entries just sent.</summary>
    public void SentEntries(int entries, ulong bytes)
    {
        switch (State)
        {
            case ProgressState.Replicate:
                if (entries > 0)
                {
                    Next += (ulong)entries;
                    Inflights.Add(Next - 1, bytes);
                }

                MsgAppFlowPaused = Inflights.Full;
                break;
            case ProgressState.Probe:
                // One probe at a time: the answer says where the follower's log ends.
                if (entries > 0)
                {
                    MsgAppFlowPaused = true;
                }

                break;
            default:
                throw new InvalidOperationException($"sending an append in state {State}");
        }
    }

    /// <summary>Whether an append is worth sending only to carry a newer commit index.</summary>
    public bool CanBumpCommit(ulong commit) => commit > SentCommit && SentCommit < Next - 1;

    /// <summary>Records an acknowledgement of <paramref name="n"/>; false when it tells nothing new.</summary>
    public bool MaybeUpdate(ulong n)
    {
        if (n <= Match)
        {
            return false;
        }

        Match = n;
        Next = Math.Max(Next, n + 1);
        MsgAppFlowPaused = false;
        return true;
    }

    /// <summary>
    /// Handles a rejected append at <paramref name="rejected"/>: moves Next back to probe at the
    /// follower's hint. Returns false for a stale rejection (out of order, or already matched).
    /// </summary>
    public bool MaybeDecrTo(ulong rejected, ulong matchHint)
    {
        if (State == ProgressState.Replicate)
        {
            // A rejection of an index at or below Match is stale: a later append matched.
            if (rejected <= Match)
            {
                return false;
            }

            Next = Match + 1;
            SentCommit = Math.Min(SentCommit, Next - 1);
            return true;
        }

        // In Probe only the answer to the one outstanding probe (at Next - 1) counts.
        if (Next - 1 != rejected)
        {
            return false;
        }

        Next = Math.Max(Math.Min(rejected, matchHint + 1), Match + 1);
        SentCommit = Math.Min(SentCommit, Next - 1);
        MsgAppFlowPaused = false;
        return true;
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("State").Append(State).Append(" match=").Append(Match).Append(" next=").Append(Next);
        if (IsLearner)
        {
            sb.Append(" learner");
        }

        if (IsPaused)
        {
            sb.Append(" paused");
        }

        if (PendingSnapshot > 0)
        {
            sb.Append(" pendingSnap=").Append(PendingSnapshot);
        }

        if (!RecentActive)
        {
            sb.Append(" inactive");
        }

        if (Inflights.Count > 0)
        {
            sb.Append(" inflight=").Append(Inflights.Count);
            if (Inflights.Full)
            {
                sb.Append("[full]");
            }
        }

        return sb.ToString();
    }

    private void ResetState(ProgressState state)
    {
        MsgAppFlowPaused = false;
        PendingSnapshot = 0;
        State = state;
        Inflights.Reset();
    }
}

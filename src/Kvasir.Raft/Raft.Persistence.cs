namespace Kvasir.Raft;

// What the host reports back through Advance: what it persisted and what it applied.
internal sealed partial class Raft
{
    /// <summary>
    /// The host persisted the log up to (index, term). Those entries are no longer unstable, and a
    /// leader now counts its own copy towards the commit: a quorum is always of durable copies.
    /// </summary>
    public void OnEntriesPersisted(ulong index, ulong term)
    {
        Log.Unstable.StableTo(index, term);

        // The check on the term makes sure the persisted entries are still the log's: a log that
        // holds (index, term) holds the same prefix (log matching).
        if (State != StateType.Leader || !Log.MatchTerm(index, term) || _trk.Get(Id) is not { } self)
        {
            return;
        }

        if (self.MaybeUpdate(index) && MaybeCommit())
        {
            ReleasePendingReadIndexMessages();
        }
    }

    /// <summary>The host persisted and installed the snapshot at <paramref name="index"/>.</summary>
    public void OnSnapshotPersisted(ulong index)
    {
        Log.Unstable.StableSnapTo(index);
        if (index > Log.Applied)
        {
            Log.AppliedTo(index);
        }
    }

    /// <summary>The host applied the committed entries up to <paramref name="index"/>, with <paramref name="payloadBytes"/> bytes of payload.</summary>
    public void OnApplied(ulong index, ulong payloadBytes)
    {
        Log.AppliedTo(Math.Max(index, Log.Applied));
        ReduceUncommittedSize(payloadBytes);
        MaybeAutoLeaveJoint();
        if (_campaignAfterApply && State == StateType.Follower && !Log.HasUnappliedConfChanges())
        {
            _campaignAfterApply = false;
            Hup(CampaignType.Transfer);
        }
    }
}

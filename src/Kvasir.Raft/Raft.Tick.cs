namespace Kvasir.Raft;

// Time: election timeouts for followers and candidates; heartbeats, check-quorum and transfer
// deadlines for leaders.
internal sealed partial class Raft
{
    public void Tick()
    {
        Ticks++;
        if (State == StateType.Leader)
        {
            TickHeartbeat();
        }
        else
        {
            TickElection();
        }
    }

    /// <summary>Overrides the drawn election timeout (tests and scripted scenarios pin it).</summary>
    public void SetRandomizedElectionTimeout(int ticks) => _randomizedElectionTimeout = ticks;

    private void TickElection()
    {
        _electionElapsed++;
        if (_electionElapsed >= _electionTimeout)
        {
            _restartLease = false;
        }

        if (Promotable() && _electionElapsed >= _randomizedElectionTimeout)
        {
            _electionElapsed = 0;
            Hup(_preVote ? CampaignType.PreElection : CampaignType.Election);
        }
    }

    private void TickHeartbeat()
    {
        _heartbeatElapsed++;
        _electionElapsed++;
        if (_electionElapsed >= _electionTimeout)
        {
            _electionElapsed = 0;
            if (_checkQuorum)
            {
                CheckQuorumActive();
            }

            // A transfer that has not finished within an election timeout is abandoned.
            if (State == StateType.Leader && LeadTransferee != None)
            {
                AbortLeaderTransfer();
            }
        }

        if (State != StateType.Leader)
        {
            return;
        }

        if (LeadsWithoutVote)
        {
            HandOffLeadership();
        }

        MaybeAutoLeaveJoint();
        if (_heartbeatElapsed >= _heartbeatTimeout)
        {
            _heartbeatElapsed = 0;
            BcastHeartbeat();
        }
    }
}

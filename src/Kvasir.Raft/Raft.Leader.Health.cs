namespace Kvasir.Raft;

// The leader's view of its followers' health: check-quorum, and the transport's reports.
internal sealed partial class Raft
{
    private void CheckQuorumActive()
    {
        if (State == StateType.Leader && !_trk.QuorumActive())
        {
            if (_logger.IsEnabled(RaftLogLevel.Warning))
            {
                _logger.Log(RaftLogLevel.Warning, $"{Id} stepped down to follower since quorum is not active");
            }

            BecomeFollower(Term, None);
        }

        // Everyone but us must prove activity again before the next check.
        foreach (var id in _trk.Ids)
        {
            if (id != Id)
            {
                _trk.ProgressMap[id].RecentActive = false;
            }
        }
    }

    /// <summary>The transport could not reach <paramref name="id"/>: an append in flight is likely lost, so probe.</summary>
    public void ReportUnreachable(ulong id)
    {
        if (State != StateType.Leader || _trk.Get(id) is not { } pr)
        {
            return;
        }

        if (pr.State == ProgressState.Replicate)
        {
            pr.BecomeProbe();
        }

        if (_logger.IsEnabled(RaftLogLevel.Debug))
        {
            _logger.Log(RaftLogLevel.Debug, $"{Id} failed to send message to {id} because it is unreachable [{pr}]");
        }
    }

    /// <summary>The transport finished (or failed) sending a snapshot to <paramref name="id"/>.</summary>
    public void ReportSnapshot(ulong id, SnapshotStatus status)
    {
        if (State != StateType.Leader || _trk.Get(id) is not { } pr || pr.State != ProgressState.Snapshot)
        {
            return;
        }

        if (status == SnapshotStatus.Failure)
        {
            // Forget the snapshot first, or the probe would start after an index never applied.
            pr.PendingSnapshot = 0;
        }

        pr.BecomeProbe();

        // After success wait for the follower's answer; after failure wait a heartbeat.
        pr.MsgAppFlowPaused = true;
        if (_logger.IsEnabled(RaftLogLevel.Debug))
        {
            _logger.Log(RaftLogLevel.Debug, $"{Id} snapshot {(status == SnapshotStatus.Failure ? "failed" : "succeeded")}, resumed sending replication messages to {id} [{pr}]");
        }
    }
}

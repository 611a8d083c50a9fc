using Google.Protobuf;
using Kvasir.Raft.Tracker;

namespace Kvasir.Raft;

// Sending the log: appends, snapshots and heartbeats, and the sends deferred to the next Ready.
internal sealed partial class Raft
{
    private readonly List<Entry> _sendScratch = [];

    /// <summary>
    /// Sends what proposals and acknowledgements since the last Ready made due: one batch of
    /// appends per follower (as many messages as MaxSizePerMsg and the inflights window allow) and
    /// one heartbeat round for pending reads. Called when the host asks for a Ready, so many
    /// proposals share a message and many acknowledgements one commit broadcast.
    /// </summary>
    public void FlushPendingSends()
    {
        if (State != StateType.Leader)
        {
            _appendsPending = false;
            _heartbeatPending = false;
            return;
        }

        if (_appendsPending)
        {
            _appendsPending = false;
            var committed = Log.Committed;
            foreach (var id in _trk.Ids)
            {
                if (id == Id)
                {
                    continue;
                }

                var pr = _trk.ProgressMap[id];

                // An empty append is worth sending as a probe, or to carry a commit index the
                // follower has not been sent.
                var sendIfEmpty = pr.State == ProgressState.Probe || pr.CanBumpCommit(committed);
                if (!MaybeSendAppend(id, sendIfEmpty))
                {
                    continue;
                }

                while (MaybeSendAppend(id, sendIfEmpty: false))
                {
                }
            }
        }

        if (_heartbeatPending)
        {
            _heartbeatPending = false;
            BcastHeartbeat();
        }
    }

    /// <summary>
    /// Sends one append to <paramref name="to"/> from its Next index, with the commit index, unless
    /// the follower is paused. Without entries to send it sends nothing unless
    /// <paramref name="sendIfEmpty"/>. Sends a snapshot instead when the entries are compacted.
    /// Returns whether a message went out.
    /// </summary>
    private bool MaybeSendAppend(ulong to, bool sendIfEmpty)
    {
        var pr = _trk.ProgressMap[to];
        if (pr.IsPaused)
        {
            return false;
        }

        var prevIndex = pr.Next - 1;
        if (Log.Term(prevIndex, out var prevTerm) != RaftLogStatus.Ok)
        {
            // The entry before Next is compacted: only a snapshot can catch this follower up.
            return MaybeSendSnapshot(to, pr);
        }

        _sendScratch.Clear();
        var status = RaftLogStatus.Ok;

        // A full window in Replicate still sends an empty append, which carries the commit and,
        // acknowledged or rejected, frees the window if everything in flight was lost.
        if (pr.State != ProgressState.Replicate || !pr.Inflights.Full)
        {
            status = Log.Entries(pr.Next, _maxMsgSize, _sendScratch);
        }

        if (status == RaftLogStatus.Compacted)
        {
            _sendScratch.Clear();
            return MaybeSendSnapshot(to, pr);
        }

        var count = _sendScratch.Count;
        if (count == 0 && !sendIfEmpty)
        {
            return false;
        }

        var m = new Message
        {
            To = to,
            Type = MessageType.MsgApp,
            Index = prevIndex,
            LogTerm = prevTerm,
            Commit = Log.Committed,
        };
        ulong bytes = 0;
        if (count > 0)
        {
            m.Entries.Capacity = count;
            for (var i = 0; i < count; i++)
            {
                var e = _sendScratch[i];
                bytes += (ulong)e.Data.Length;
                m.Entries.Add(e);
            }

            _sendScratch.Clear();
        }

        Send(m);
        pr.SentEntries(count, bytes);
        pr.SentCommit = Log.Committed;
        return true;
    }

    /// <summary>Sends the latest snapshot to a follower that needs compacted entries; only to an active one.</summary>
    private bool MaybeSendSnapshot(ulong to, Progress pr)
    {
        if (!pr.RecentActive)
        {
            if (_logger.IsEnabled(RaftLogLevel.Debug))
            {
                _logger.Log(RaftLogLevel.Debug, $"ignore sending snapshot to {to} since it is not recently active");
            }

            return false;
        }

        var status = Log.Snapshot(out var snapshot);
        if (status == RaftLogStatus.SnapshotTemporarilyUnavailable)
        {
            if (_logger.IsEnabled(RaftLogLevel.Debug))
            {
                _logger.Log(RaftLogLevel.Debug, $"{Id} failed to send snapshot to {to} because snapshot is temporarily unavailable");
            }

            return false;
        }

        if (status != RaftLogStatus.Ok)
        {
            throw new InvalidOperationException($"reading the snapshot for {to}: {status}");
        }

        var index = snapshot.Metadata?.Index ?? 0;
        if (index == 0)
        {
            throw new InvalidOperationException($"{to} needs entries that are compacted, but the storage has no snapshot covering them: compact only after making a snapshot");
        }

        if (_logger.IsEnabled(RaftLogLevel.Debug))
        {
            _logger.Log(RaftLogLevel.Debug, $"{Id} [firstindex: {Log.FirstIndex()}, commit: {Log.Committed}] sent snapshot[index: {index}, term: {snapshot.Metadata!.Term}] to {to} [{pr}]");
        }

        pr.BecomeSnapshot(index);
        Send(new Message { To = to, Type = MessageType.MsgSnap, Snapshot = snapshot });
        return true;
    }

    private void BcastHeartbeat()
    {
        var ctx = _readOnly.HeartbeatContext();
        foreach (var id in _trk.Ids)
        {
            if (id != Id)
            {
                SendHeartbeat(id, ctx);
            }
        }
    }

    private void SendHeartbeat(ulong to, ByteString ctx)
    {
        // Never more than the follower is known to hold: its log may not reach our commit yet.
        var pr = _trk.ProgressMap[to];
        var commit = Math.Min(pr.Match, Log.Committed);

        // Index carries the send stamp (tick + 1), echoed in the answer, for the read lease.
        Send(new Message { To = to, Type = MessageType.MsgHeartbeat, Commit = commit, Context = ctx, Index = (ulong)Ticks + 1 });
        pr.SentCommit = commit;
    }
}

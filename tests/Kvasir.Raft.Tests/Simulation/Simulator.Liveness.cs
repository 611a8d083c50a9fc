using System.Text;
using Google.Protobuf;

namespace Kvasir.Raft.Tests.Simulation;

// After the faults: heal everything, then a leader must emerge and a proposal commit everywhere.
internal sealed partial class Simulator
{
    private ByteString? _sentinel;

    // Where the sentinel landed in the log, once some node applied it; a member has it when its
    // applied index reaches there (by applying it, or by installing a snapshot that covers it).
    private ulong _sentinelIndex;

    // The read asked after the sentinel committed everywhere, and the reads answered so far.
    private ulong _livenessRead;
    private readonly HashSet<ulong> _readsAnswered = [];

    private void Heal()
    {
        _faults = false;
        _net.Heal();
        _net.DropRate = 0;
        _net.DuplicateRate = 0;
        for (var id = 1; id <= _started; id++)
        {
            var n = _nodes[id];
            if (!n.Up && !n.Removed)
            {
                _trace?.Add($"t{_now} node {id} restarts (heal)");
                Restart(n);
            }
        }

        _trace?.Add($"t{_now} healed");
    }

    private void CheckLiveness()
    {
        var healedAt = _now;
        long leaderAt = -1;
        while (_now - healedAt < _o.LivenessTicks)
        {
            RunTick();
            var leader = Leader();
            if (leader is null)
            {
                continue;
            }

            if (leaderAt < 0)
            {
                leaderAt = _now;
            }

            var config = leader.Node!.Status().Config;
            if (config.VotersOutgoing.Count > 0 && !config.AutoLeave && _now % 5 == 0)
            {
                leader.Node.ProposeConfChange(new ConfChangeV2());
            }

            if (_sentinel is null || (_sentinelIndex == 0 && _now % (2 * _o.ElectionTick) == 0))
            {
                // Propose (again, if it was lost) a value that every member must apply.
                _sentinel ??= NextPayload();
                var result = leader.Node.Propose(_sentinel);
                _trace?.Add($"t{_now} propose the sentinel on {leader.Id}: {result}");
                continue;
            }

            if (!AllMembersApplied(config))
            {
                continue;
            }

            // Reads must get through too: one on a random member, answered within the bound.
            if (_livenessRead == 0)
            {
                var reader = RandomUp() ?? leader;
                var ctx = new byte[8];
                _livenessRead = ++_nextRead;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(ctx, _livenessRead);
                if (reader.Node!.ReadIndex(UnsafeByteOperations.UnsafeWrap(ctx)) == ProposalResult.Accepted)
                {
                    _reads[_livenessRead] = _checker.MaxCommitted;
                }
                else
                {
                    _livenessRead = 0;
                }

                continue;
            }

            if (_readsAnswered.Contains(_livenessRead))
            {
                return;
            }

            if (_now % (2 * _o.ElectionTick) == 0)
            {
                // Not answered yet: the request may have been lost with a leader change; ask again.
                _livenessRead = 0;
            }
        }

        throw new SimulationFailure($"liveness: {(leaderAt < 0 ? "no leader" : _sentinelIndex == 0 || _livenessRead == 0 ? "the proposal did not commit on every member" : "a read was not answered")} within {_o.LivenessTicks} ticks of healing; {DescribeNodes()}");
    }

    private bool AllMembersApplied(ConfState config)
    {
        foreach (var set in (IList<ulong>[])[config.Voters, config.Learners, config.VotersOutgoing])
        {
            foreach (var id in set)
            {
                if (_sentinelIndex == 0 || _nodes[id].AppliedIndex < _sentinelIndex)
                {
                    return false;
                }
            }
        }

        return true;
    }

    private string DescribeNodes()
    {
        var sb = new StringBuilder();
        for (var id = 1; id <= _started; id++)
        {
            var n = _nodes[id];
            sb.Append($"[{id}: ");
            if (n.Removed)
            {
                sb.Append("removed");
            }
            else if (n.Node is { } node)
            {
                var s = node.Status();
                sb.Append($"{s.RaftState} term={s.Term} lead={s.Lead} commit={s.Commit} applied={n.AppliedIndex} last={node.Raft.Log.LastIndex()} voters=({string.Join(' ', s.Config.Voters)}) out=({string.Join(' ', s.Config.VotersOutgoing)}) learners=({string.Join(' ', s.Config.Learners)})");
            }
            else
            {
                sb.Append("down");
            }

            sb.Append("] ");
        }

        return sb.ToString();
    }
}

using System.Buffers.Binary;
using Google.Protobuf;

namespace Kvasir.Raft.Tests.Simulation;

// The faults and operations of the fault phase, each drawn per tick from the options' rates.
internal sealed partial class Simulator
{
    private void InjectEvents()
    {
        if (_rng.Next(1000) < _o.CrashRate)
        {
            CrashRandom();
        }

        // Crashed nodes come back at about the rate they go down.
        if (_rng.Next(1000) < _o.CrashRate * 2)
        {
            RestartRandom();
        }

        if (_rng.Next(1000) < _o.LeaderFaultRate)
        {
            LeaderFault();
        }

        if (_rng.Next(1000) < _o.PartitionRate)
        {
            Partition();
        }

        if (_rng.Next(1000) < _o.ConfChangeRate)
        {
            ChangeMembership();
        }

        if (_rng.Next(1000) < _o.TransferRate)
        {
            TransferLeadership();
        }

        if (_rng.Next(1000) < _o.CompactRate)
        {
            var n = RandomUp();
            n?.Compact(_rng.Next(6));
        }
    }

    private SimNode? RandomUp()
    {
        var first = 1 + _rng.Next(_started);
        for (var k = 0; k < _started; k++)
        {
            var n = _nodes[1 + ((first - 1 + k) % _started)];
            if (n.Up && !n.Removed)
            {
                return n;
            }
        }

        return null;
    }

    private SimNode? Leader()
    {
        SimNode? best = null;
        for (var id = 1; id <= _started; id++)
        {
            var n = _nodes[id];
            if (n.Node is { } node && node.Raft.State == StateType.Leader && (best is null || node.Raft.Term > best.Node!.Raft.Term))
            {
                best = n;
            }
        }

        return best;
    }

    private ByteString NextPayload()
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, ++_nextPayload);
        return UnsafeByteOperations.UnsafeWrap(b);
    }

    private void ProposeRandom()
    {
        var n = RandomUp();
        if (n is null)
        {
            return;
        }

        // Sometimes a batch, as the member proposes many requests per Ready.
        var count = _rng.Next(4) == 0 ? 1 + _rng.Next(8) : 1;
        for (var i = 0; i < count; i++)
        {
            n.Node!.Propose(NextPayload());
        }

        CheckNode(n);
    }

    private void ReadRandom()
    {
        var n = RandomUp();
        if (n is null)
        {
            return;
        }

        var id = ++_nextRead;
        var ctx = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(ctx, id);
        if (n.Node!.ReadIndex(UnsafeByteOperations.UnsafeWrap(ctx)) == ProposalResult.Accepted)
        {
            // Whatever is committed anywhere now must be visible to this read.
            _reads[id] = _checker.MaxCommitted;
        }
    }

    // The leader crashes, or is cut off from everyone, often in the middle of replicating.
    private void LeaderFault()
    {
        var leader = Leader();
        if (leader is null)
        {
            return;
        }

        if (_rng.Next(2) == 0)
        {
            _trace?.Add($"t{_now} leader {leader.Id} crashes");
            Stats.Crashes++;
            leader.Crash();
            return;
        }

        _net.Heal();
        Stats.Partitions++;
        for (ulong id = 1; id <= (ulong)_started; id++)
        {
            if (id != leader.Id)
            {
                _net.CutOneWay(id, leader.Id);
                _net.CutOneWay(leader.Id, id);
            }
        }

        _trace?.Add($"t{_now} leader {leader.Id} is isolated");
    }

    private void CrashRandom()
    {
        var n = RandomUp();
        if (n is null)
        {
            return;
        }

        _trace?.Add($"t{_now} node {n.Id} crashes");
        Stats.Crashes++;
        n.Crash();
    }

    private void RestartRandom()
    {
        var first = 1 + _rng.Next(_started);
        for (var k = 0; k < _started; k++)
        {
            var n = _nodes[1 + ((first - 1 + k) % _started)];
            if (!n.Up && !n.Removed)
            {
                _trace?.Add($"t{_now} node {n.Id} restarts");
                Restart(n);
                return;
            }
        }
    }

    /// <summary>
    /// Restarts a crashed node from its disk. A founding member that crashed before its first
    /// write bootstraps again, as a member with no WAL does.
    /// </summary>
    private void Restart(SimNode n)
    {
        // No HardState on disk: the first Ready was never fully written, so nothing was promised
        // to anyone; a founding member bootstraps again from a clean disk.
        var fresh = n.Disk.HardState.Term == 0 && n.Id <= (ulong)_o.Nodes;
        if (fresh)
        {
            n.Wipe();
        }

        n.Start(_o, _rng.Next(), fresh ? _bootstrapPeers : null);
        Stats.Restarts++;
    }

    private void Partition()
    {
        if (_net.HasCuts && _rng.Next(2) == 0)
        {
            _trace?.Add($"t{_now} partitions heal");
            _net.Heal();
            return;
        }

        _net.Heal();
        Stats.Partitions++;
        if (_rng.Next(2) == 0)
        {
            // Symmetric: a random group is cut off from the rest.
            var group = new bool[_started + 1];
            for (var id = 1; id <= _started; id++)
            {
                group[id] = _rng.Next(2) == 0;
            }

            for (ulong a = 1; a <= (ulong)_started; a++)
            {
                for (ulong b = 1; b <= (ulong)_started; b++)
                {
                    if (group[a] != group[b])
                    {
                        _net.CutOneWay(a, b);
                    }
                }
            }

            _trace?.Add($"t{_now} symmetric partition");
        }
        else
        {
            // Asymmetric: some links fail in one direction only.
            var cuts = 1 + _rng.Next(_started * 2);
            for (var i = 0; i < cuts; i++)
            {
                var a = (ulong)(1 + _rng.Next(_started));
                var b = (ulong)(1 + _rng.Next(_started));
                if (a != b)
                {
                    _net.CutOneWay(a, b);
                }
            }

            _trace?.Add($"t{_now} asymmetric partition ({cuts} links)");
        }
    }

    private void TransferLeadership()
    {
        var leader = Leader();
        if (leader is null)
        {
            return;
        }

        var voters = leader.Node!.Status().Config.Voters;
        if (voters.Count < 2)
        {
            return;
        }

        var to = voters[_rng.Next(voters.Count)];
        _trace?.Add($"t{_now} transfer leadership {leader.Id} -> {to}");
        leader.Node.TransferLeader(to);
        Stats.Transfers++;
        CheckNode(leader);
    }

    private void ChangeMembership()
    {
        var leader = Leader();
        if (leader is null)
        {
            return;
        }

        var config = leader.Node!.Status().Config;

        // Where to propose: usually the leader, sometimes a follower that forwards it.
        var proposer = _rng.Next(3) == 0 ? RandomUp() ?? leader : leader;
        if (config.VotersOutgoing.Count > 0)
        {
            if (!config.AutoLeave)
            {
                _trace?.Add($"t{_now} propose leaving the joint config");
                proposer.Node!.ProposeConfChange(new ConfChangeV2());
            }

            return;
        }

        var newId = (ulong)(_started + 1);
        var canAdd = newId <= MaxIds;
        switch (_rng.Next(5))
        {
            case 0 when canAdd:
                StartNew(newId);
                ProposeV1(proposer, ConfChangeType.ConfChangeAddLearnerNode, newId);
                break;
            case 1 when config.Learners.Count > 0:
                ProposeV1(proposer, ConfChangeType.ConfChangeAddNode, config.Learners[_rng.Next(config.Learners.Count)]);
                break;
            case 2 when canAdd:
                StartNew(newId);
                ProposeV1(proposer, ConfChangeType.ConfChangeAddNode, newId);
                break;
            case 3 when config.Voters.Count > 1 || config.Learners.Count > 0:
                var all = new List<ulong>(config.Voters);
                all.AddRange(config.Learners);
                ProposeV1(proposer, ConfChangeType.ConfChangeRemoveNode, all[_rng.Next(all.Count)]);
                break;
            case 4 when canAdd:
                // Replace a voter through joint consensus.
                StartNew(newId);
                var cc = new ConfChangeV2 { Transition = (ConfChangeTransition)_rng.Next(3) };
                cc.Changes.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeAddNode, NodeId = newId });
                cc.Changes.Add(new ConfChangeSingle { Type = ConfChangeType.ConfChangeRemoveNode, NodeId = config.Voters[_rng.Next(config.Voters.Count)] });
                _trace?.Add($"t{_now} propose joint change {cc}");
                proposer.Node!.ProposeConfChange(cc);
                break;
        }
    }

    private void StartNew(ulong id)
    {
        var n = NewNode(id);
        n.Start(_o, _rng.Next(), bootstrap: null);
        _trace?.Add($"t{_now} node {id} starts empty, to join");
    }

    private void ProposeV1(SimNode proposer, ConfChangeType type, ulong id)
    {
        _trace?.Add($"t{_now} propose {type} {id} on {proposer.Id}");
        proposer.Node!.ProposeConfChange(new ConfChange { Type = type, NodeId = id });
        CheckNode(proposer);
    }
}

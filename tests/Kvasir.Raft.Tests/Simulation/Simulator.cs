using Google.Protobuf;

namespace Kvasir.Raft.Tests.Simulation;

/// <summary>
/// One deterministic run: a cluster over a faulty network, driven tick by tick from a seed. The
/// fault phase mixes proposals, reads, crashes (also in the middle of handling a Ready, losing
/// what was not persisted), partitions, membership changes, leader transfers and compaction; then
/// everything heals and a leader must emerge and a new proposal commit on every member within a
/// bound. Safety is checked after every step (see <see cref="SafetyChecker"/>).
/// </summary>
internal sealed partial class Simulator
{
    private const int MaxIds = 11;

    private readonly SimOptions _o;
    private readonly Random _rng;
    private readonly SafetyChecker _checker = new();
    private readonly SimNetwork _net;
    private readonly SimNode[] _nodes = new SimNode[MaxIds + 1];
    private readonly HashSet<ulong> _everMember = [];
    private readonly Dictionary<ulong, ulong> _reads = [];
    private readonly List<Message> _due = [];
    private readonly List<string>? _trace;
    private int _started;
    private ulong _membershipIndex;
    private readonly Dictionary<ulong, ulong> _removedAt = [];
    private ConfState _membership = new();
    private Peer[] _bootstrapPeers = [];
    private long _now;
    private ulong _nextPayload;
    private ulong _nextRead;
    private bool _faults = true;

    public Simulator(SimOptions options, List<string>? trace = null)
    {
        _o = options;
        _rng = new Random(options.Seed);
        _trace = trace;
        _net = new SimNetwork(_rng)
        {
            DropRate = options.DropRate,
            DuplicateRate = options.DuplicateRate,
            MaxDelay = options.MaxDelay,
            Reorder = options.Reorder,
        };
    }

    /// <summary>What this run exercised.</summary>
    public SimStats Stats { get; } = new();

    public void Run()
    {
        _bootstrapPeers = new Peer[_o.Nodes];
        for (var i = 0; i < _o.Nodes; i++)
        {
            _bootstrapPeers[i] = new Peer((ulong)i + 1, ByteString.Empty);
        }

        for (var i = 0; i < _o.Nodes; i++)
        {
            var n = NewNode((ulong)i + 1);
            n.Start(_o, _rng.Next(), _bootstrapPeers);
            _everMember.Add(n.Id);
        }

        for (var t = 0; t < _o.FaultTicks; t++)
        {
            RunTick();
        }

        Heal();
        CheckLiveness();
        Stats.Runs = 1;
        Stats.Ticks = _now;
        Stats.Elections = _checker.Leaders;
        Stats.Committed = (long)_checker.MaxCommitted;
        switch (_o.Nodes)
        {
            case 1: Stats.ByNodes1 = 1; break;
            case 3: Stats.ByNodes3 = 1; break;
            case 5: Stats.ByNodes5 = 1; break;
            default: Stats.ByNodes7 = 1; break;
        }
    }

    private SimNode NewNode(ulong id)
    {
        var n = new SimNode(id);
        _nodes[id] = n;
        _started = Math.Max(_started, (int)id);
        return n;
    }

    private void RunTick()
    {
        _now++;
        if (_faults)
        {
            InjectEvents();
        }

        if (_rng.Next(1000) < _o.ProposeRate)
        {
            ProposeRandom();
        }

        if (_rng.Next(1000) < _o.ReadRate)
        {
            ReadRandom();
        }

        StopRemoved();

        // Every live node ticks once per tick, in a shuffled order.
        var first = 1 + _rng.Next(_started);
        for (var k = 0; k < _started; k++)
        {
            var n = _nodes[1 + ((first - 1 + k) % _started)];
            if (n.Node is { } node)
            {
                var ticks = 1;
                if (!_o.LeaseReads && _o.ClockSkewRate > 0 && _rng.Next(1000) < _o.ClockSkewRate)
                {
                    ticks = _rng.Next(2) * 2;
                }

                for (var i = 0; i < ticks; i++)
                {
                    node.Tick();
                    CheckNode(n);
                }
            }
        }

        Drain();
    }

    // A removed member stops once the voters it leaves behind have all applied the latest
    // membership: until then they may still need its vote (while they believe the config is
    // joint) to elect a leader. This is the rule the member follows; stopping at once can leave
    // a new configuration unable to elect anyone.
    private void StopRemoved()
    {
        for (var id = 1; id <= _started; id++)
        {
            var n = _nodes[id];
            if (!n.Removed && n.RemovedAt >= 0 && _now - n.RemovedAt > 3 * _o.ElectionTick && VotersApplied(_membership, _membershipIndex))
            {
                _trace?.Add($"t{_now} node {id} stops: removed");
                n.Removed = true;
                n.Crash();
            }
        }
    }

    private bool VotersApplied(ConfState cs, ulong index)
    {
        foreach (var v in cs.Voters)
        {
            if (_nodes[v] is not { } voter || !voter.Up || voter.AppliedIndex < index)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Delivers what is due and handles every Ready until the tick is quiet (bounded).</summary>
    private void Drain()
    {
        for (var round = 0; round < 64; round++)
        {
            var moved = false;
            for (var id = 1; id <= _started; id++)
            {
                var n = _nodes[id];
                while (n.Node is { } node && node.HasReady())
                {
                    ProcessReady(n);
                    moved = true;
                }
            }

            _due.Clear();
            _net.TakeDue(_now, _due);
            foreach (var m in _due)
            {
                Deliver(m);
                moved = true;
            }

            if (!moved)
            {
                return;
            }
        }
    }

    private void Deliver(Message m)
    {
        var to = m.To <= MaxIds ? _nodes[m.To] : null;
        var from = m.From <= MaxIds ? _nodes[m.From] : null;
        if (to?.Node is not { } node || to.Removed || _net.IsCut(m.From, m.To))
        {
            // The sender's transport notices: a lost snapshot is reported as failed.
            if (from?.Node is { } sender)
            {
                if (m.Type == MessageType.MsgSnap)
                {
                    sender.ReportSnapshot(m.To, SnapshotStatus.Failure);
                }
                else if (_rng.Next(4) == 0)
                {
                    sender.ReportUnreachable(m.To);
                }
            }

            return;
        }

        _trace?.Add($"t{_now} deliver {Describe(m)}");
        Stats.Delivered++;
        var result = node.Step(m);
        if (result != StepResult.Ok && result != StepResult.UnknownPeer)
        {
            throw new SimulationFailure($"node {m.To} refused a message from a correct peer: {result} for {Describe(m)}");
        }

        if (m.Type == MessageType.MsgSnap && from?.Node is { } leader)
        {
            leader.ReportSnapshot(m.To, SnapshotStatus.Finish);
        }

        CheckNode(to);
    }

    /// <summary>
    /// A node applied the membership in force at <paramref name="index"/>: when it is the most
    /// recent one seen, members no longer in it stop, as a removed member does.
    /// </summary>
    private void OnMembership(ConfState cs, ulong index)
    {
        if (index <= _membershipIndex)
        {
            return;
        }

        _membershipIndex = index;
        _membership = cs;
        for (ulong id = 1; id <= (ulong)_started; id++)
        {
            var inConf = cs.Voters.Contains(id) || cs.Learners.Contains(id) || cs.VotersOutgoing.Contains(id) || cs.LearnersNext.Contains(id);
            if (inConf)
            {
                _everMember.Add(id);
            }
            else if (_everMember.Contains(id) && !_nodes[id].Removed && _nodes[id].RemovedAt < 0)
            {
                // Like a member, it stops a little after learning it was removed; meanwhile it
                // still answers, which the new configuration may need (its votes while joint).
                _trace?.Add($"t{_now} node {id} is removed and will stop");
                _nodes[id].RemovedAt = _now;
            }
        }
    }

    private void Send(SimNode n, IReadOnlyList<Message> msgs)
    {
        foreach (var m in msgs)
        {
            if (m.Type != MessageType.MsgSnap)
            {
                _net.Send(m, _now);
            }
            else if (!_net.Send(FreshSnapshot(n, m), _now))
            {
                // The transport reports every snapshot it was given, sent or not.
                n.Node?.ReportSnapshot(m.To, SnapshotStatus.Failure);
            }
        }
    }

    // As etcd's server does, the host sends a snapshot of its state machine as applied now, not
    // the older one in its log storage: only the current one is sure to include the membership
    // (and so the follower) the leader is sending it to.
    private static Message FreshSnapshot(SimNode n, Message m)
    {
        var index = n.AppliedIndex;
        if (index <= m.Snapshot.Metadata.Index || n.Node!.Raft.Log.Term(index, out var term) != RaftLogStatus.Ok)
        {
            return m;
        }

        var fresh = m.Clone();
        fresh.Snapshot = new Snapshot
        {
            Data = SimNode.SnapshotData(index, n.AppliedHash),
            Metadata = new SnapshotMetadata { Index = index, Term = term, ConfState = n.AppliedConf.Clone() },
        };
        return fresh;
    }

    /// <summary>After any step of a node: leader uniqueness and completeness.</summary>
    private void CheckNode(SimNode n)
    {
        if (n.Node is not { } node)
        {
            return;
        }

        _checker.OnTerm(node.Raft.Term);
        if (node.Raft.State == StateType.Leader)
        {
            _checker.OnLeader(n.Id, node.Raft.Term, node.Raft);
        }
    }

    private static string Describe(Message m) =>
        $"{m.From}->{m.To} {m.Type} term={m.Term} logterm={m.LogTerm} index={m.Index} commit={m.Commit} entries={m.Entries.Count}{(m.Reject ? " reject hint=" + m.RejectHint : "")}";
}

using System.Globalization;
using System.Text;
using Google.Protobuf;
using Kvasir.Raft.Tests.Harness;

namespace Kvasir.Raft.Tests.Scenarios;

/// <summary>
/// The world a scenario file drives: nodes over an in-memory network whose messages wait in a
/// queue until delivered, with cuts and drops. Every command returns the text it produced.
/// </summary>
internal sealed partial class ScenarioEnv
{
    private readonly SortedDictionary<ulong, TestRaft> _nodes = [];
    private readonly HashSet<ulong> _down = [];
    private readonly List<Message> _queue = [];
    private readonly HashSet<(ulong From, ulong To)> _cut = [];
    private readonly HashSet<MessageType> _dropped = [];
    private readonly Dictionary<string, string> _options = [];

    public string Run(string command)
    {
        var args = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var sb = new StringBuilder();
        switch (args[0])
        {
            case "nodes": Nodes(args, sb); break;
            case "join": Join(Id(args, 1), sb); break;
            case "campaign": Node(args, 1).Node.Campaign(); break;
            case "propose": sb.Append(Node(args, 1).Propose(string.Join(' ', args[2..]))).Append('\n'); break;
            case "propose-many": ProposeMany(args, sb); break;
            case "conf": Conf(args, sb); break;
            case "tick": Tick(args); break;
            case "tick-all": TickAll(args); break;
            case "run": RunTicks(args, sb); break;
            case "set-timeout": Node(args, 1).SetElectionTimeout(int.Parse(args[2], CultureInfo.InvariantCulture)); break;
            case "stabilize": Stabilize(sb); break;
            case "process-ready": ProcessReady(Node(args, 1), sb); break;
            case "deliver": Deliver(args.Length > 1 ? Id(args, 1) : 0, sb); break;
            case "isolate": Isolate(Id(args, 1)); break;
            case "cut": _cut.Add((Id(args, 1), Id(args, 2))); _cut.Add((Id(args, 2), Id(args, 1))); break;
            case "cut-oneway": _cut.Add((Id(args, 1), Id(args, 2))); break;
            case "heal": _cut.Clear(); _dropped.Clear(); break;
            case "drop": _dropped.Add(Enum.Parse<MessageType>(args[1])); break;
            case "transfer": Node(args, 1).Node.TransferLeader(Id(args, 2)); break;
            case "read": sb.Append(Node(args, 1).Node.ReadIndex(ByteString.CopyFromUtf8(args[2]))).Append('\n'); break;
            case "unreachable": Node(args, 1).Node.ReportUnreachable(Id(args, 2)); break;
            case "report-snapshot": Node(args, 1).Node.ReportSnapshot(Id(args, 2), args[3] == "ok" ? SnapshotStatus.Finish : SnapshotStatus.Failure); break;
            case "compact": Compact(Node(args, 1), sb); break;
            case "crash": _down.Add(Id(args, 1)); break;
            case "restart": Restart(Id(args, 1), sb); break;
            case "status": Status(Node(args, 1), sb); break;
            case "log": Log(Node(args, 1), sb); break;
            case "state": State(sb); break;
            case "applied": Applied(Node(args, 1), sb); break;
            default: throw new FormatException($"unknown command '{args[0]}'");
        }

        return sb.ToString();
    }

    private static ulong Id(string[] args, int i) => ulong.Parse(args[i], CultureInfo.InvariantCulture);

    private TestRaft Node(string[] args, int i) => _nodes[Id(args, i)];

    private Action<RaftConfig> Configure() => c =>
    {
        // Node i always times out after election + i - 1 ticks, so a scenario knows who goes first.
        c.Random = new FixedJitter((int)c.Id - 1);
        c.PreVote = _options.ContainsKey("prevote");
        c.CheckQuorum = _options.ContainsKey("checkquorum") || _options.ContainsKey("lease");
        c.ReadOnlyOption = _options.ContainsKey("lease") ? ReadOnlyOption.LeaseBased : ReadOnlyOption.Safe;
        c.DisableProposalForwarding = _options.ContainsKey("noforward");
        c.ElectionTick = Int("election", 10);
        c.HeartbeatTick = Int("heartbeat", 1);
        c.MaxSizePerMsg = _options.TryGetValue("maxmsg", out var m) ? ulong.Parse(m, CultureInfo.InvariantCulture) : RaftConfig.NoLimit;
        c.MaxInflightMsgs = Int("inflight", 256);
        c.MaxUncommittedEntriesSize = (ulong)Int("maxuncommitted", 0);
    };

    private int Int(string key, int fallback) => _options.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    // nodes N [learners=4,5] [bootstrap] [prevote] [checkquorum] [lease] [noforward] [election=E] ...
    private void Nodes(string[] args, StringBuilder sb)
    {
        var n = int.Parse(args[1], CultureInfo.InvariantCulture);
        var learners = new List<ulong>();
        foreach (var a in args[2..])
        {
            var kv = a.Split('=', 2);
            if (kv[0] == "learners")
            {
                foreach (var l in kv[1].Split(','))
                {
                    learners.Add(ulong.Parse(l, CultureInfo.InvariantCulture));
                }
            }
            else
            {
                _options[kv[0]] = kv.Length > 1 ? kv[1] : "";
            }
        }

        var voters = new ulong[n];
        for (var i = 0; i < n; i++)
        {
            voters[i] = (ulong)i + 1;
        }

        var all = new List<ulong>(voters);
        all.AddRange(learners);
        var peers = new List<Peer>();
        foreach (var id in voters)
        {
            peers.Add(new Peer(id, ByteString.Empty));
        }

        foreach (var id in all)
        {
            TestRaft node;
            if (_options.ContainsKey("bootstrap"))
            {
                node = TestRaft.Create(id, new MemoryRaftLog(), configure: Configure());
                node.Node.Bootstrap(peers);
            }
            else
            {
                node = TestRaft.Create(id, voters, configure: Configure(), learners: [.. learners]);
            }

            _nodes[id] = node;
        }

        State(sb);
    }

    private void Join(ulong id, StringBuilder sb)
    {
        var node = TestRaft.Create(id, new MemoryRaftLog(), configure: Configure());
        _nodes[id] = node;
        State(sb);
    }

    private void ProposeMany(string[] args, StringBuilder sb)
    {
        var node = Node(args, 1);
        var count = int.Parse(args[2], CultureInfo.InvariantCulture);
        var accepted = 0;
        for (var i = 0; i < count; i++)
        {
            if (node.Propose($"{args[3]}{i}") == ProposalResult.Accepted)
            {
                accepted++;
            }
        }

        sb.Append(accepted).Append(" of ").Append(count).Append(" accepted\n");
    }

    // conf ID add|remove|learner|update X  (ConfChange) — conf ID v2 auto|implicit|explicit v4 r3 l5 — conf ID leave
    private void Conf(string[] args, StringBuilder sb)
    {
        var node = Node(args, 1);
        ProposalResult result;
        switch (args[2])
        {
            case "leave":
                result = node.Node.ProposeConfChange(new ConfChangeV2());
                break;
            case "v2":
                var cc = new ConfChangeV2
                {
                    Transition = args[3] switch
                    {
                        "implicit" => ConfChangeTransition.JointImplicit,
                        "explicit" => ConfChangeTransition.JointExplicit,
                        _ => ConfChangeTransition.Auto,
                    },
                };
                foreach (var tok in args[4..])
                {
                    var type = tok[0] switch
                    {
                        'v' => ConfChangeType.ConfChangeAddNode,
                        'l' => ConfChangeType.ConfChangeAddLearnerNode,
                        'r' => ConfChangeType.ConfChangeRemoveNode,
                        _ => ConfChangeType.ConfChangeUpdateNode,
                    };
                    cc.Changes.Add(new ConfChangeSingle { Type = type, NodeId = ulong.Parse(tok[1..], CultureInfo.InvariantCulture) });
                }

                result = node.Node.ProposeConfChange(cc);
                break;
            default:
                var t = args[2] switch
                {
                    "add" => ConfChangeType.ConfChangeAddNode,
                    "remove" => ConfChangeType.ConfChangeRemoveNode,
                    "learner" => ConfChangeType.ConfChangeAddLearnerNode,
                    _ => ConfChangeType.ConfChangeUpdateNode,
                };
                result = node.Node.ProposeConfChange(new ConfChange { Type = t, NodeId = Id(args, 3) });
                break;
        }

        sb.Append(result).Append('\n');
    }

    private void Tick(string[] args)
    {
        var n = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
        Node(args, 1).Tick(n);
    }

    private void TickAll(string[] args)
    {
        var n = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        for (var i = 0; i < n; i++)
        {
            foreach (var (id, node) in _nodes)
            {
                if (!_down.Contains(id))
                {
                    node.Tick();
                }
            }
        }
    }

    private void Isolate(ulong id)
    {
        foreach (var other in _nodes.Keys)
        {
            if (other != id)
            {
                _cut.Add((id, other));
                _cut.Add((other, id));
            }
        }
    }

    /// <summary>Election-timeout "jitter" that is always the same offset.</summary>
    private sealed class FixedJitter(int offset) : Random
    {
        public override int Next(int maxValue) => Math.Min(offset, maxValue - 1);
    }
}

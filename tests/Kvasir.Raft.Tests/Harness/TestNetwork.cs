namespace Kvasir.Raft.Tests.Harness;

/// <summary>
/// Nodes connected by a perfect, ordered network that tests can cut (links, nodes) and filter (by
/// message type). Delivery is synchronous and bounded: <see cref="Stabilize"/> runs until no node
/// has anything to say.
/// </summary>
internal sealed class TestNetwork
{
    private readonly HashSet<(ulong From, ulong To)> _cut = [];
    private readonly HashSet<MessageType> _ignored = [];

    public TestNetwork(params TestRaft[] nodes)
    {
        foreach (var n in nodes)
        {
            Nodes[n.Id] = n;
        }
    }

    public Dictionary<ulong, TestRaft> Nodes { get; } = [];

    public TestRaft this[ulong id] => Nodes[id];

    /// <summary>Every message delivered so far, in order (for tests that look at traffic).</summary>
    public List<Message> Delivered { get; } = [];

    /// <summary>A cluster of voters 1..n, every node knowing all of them.</summary>
    public static TestNetwork OfVoters(int n, Action<RaftConfig>? configure = null, int election = 10)
    {
        var ids = new ulong[n];
        for (var i = 0; i < n; i++)
        {
            ids[i] = (ulong)i + 1;
        }

        var nodes = new TestRaft[n];
        for (var i = 0; i < n; i++)
        {
            nodes[i] = TestRaft.Create(ids[i], ids, election: election, configure: configure);
        }

        return new TestNetwork(nodes);
    }

    /// <summary>
    /// A new cluster of voters 1..n started the production way: empty logs and Bootstrap, so the
    /// membership is in the log and nodes that join later can replay it.
    /// </summary>
    public static TestNetwork Bootstrapped(int n, Action<RaftConfig>? configure = null)
    {
        var peers = new Peer[n];
        for (var i = 0; i < n; i++)
        {
            peers[i] = new Peer((ulong)i + 1, Google.Protobuf.ByteString.Empty);
        }

        var nodes = new TestRaft[n];
        for (var i = 0; i < n; i++)
        {
            nodes[i] = TestRaft.Create((ulong)i + 1, new MemoryRaftLog(), configure: configure);
            nodes[i].Node.Bootstrap(peers);
        }

        var nt = new TestNetwork(nodes);
        nt.Stabilize();
        return nt;
    }

    public void Cut(ulong a, ulong b)
    {
        _cut.Add((a, b));
        _cut.Add((b, a));
    }

    /// <summary>Cuts every link to and from <paramref name="id"/>.</summary>
    public void Isolate(ulong id)
    {
        foreach (var other in Nodes.Keys)
        {
            if (other != id)
            {
                Cut(id, other);
            }
        }
    }

    public void Ignore(MessageType type) => _ignored.Add(type);

    public void Recover()
    {
        _cut.Clear();
        _ignored.Clear();
    }

    /// <summary>Starts an election on <paramref name="id"/> and lets the cluster settle.</summary>
    public void Campaign(ulong id)
    {
        Nodes[id].Node.Campaign();
        Stabilize();
    }

    /// <summary>Proposes on <paramref name="id"/> and lets the cluster settle.</summary>
    public ProposalResult Propose(ulong id, string data)
    {
        var result = Nodes[id].Propose(data);
        Stabilize();
        return result;
    }

    /// <summary>Delivers messages and drains Readies until nothing moves (bounded: a livelock fails the test).</summary>
    public void Stabilize(int maxRounds = 10_000)
    {
        var queue = new Queue<Message>();
        for (var round = 0; round < maxRounds; round++)
        {
            foreach (var n in Nodes.Values)
            {
                foreach (var m in n.ReadMessages())
                {
                    queue.Enqueue(m);
                }
            }

            if (queue.Count == 0)
            {
                return;
            }

            while (queue.Count > 0)
            {
                Deliver(queue.Dequeue());
            }
        }

        throw new InvalidOperationException($"the network did not settle within {maxRounds} rounds");
    }

    /// <summary>Delivers one message now (if not cut or ignored), without draining Readies.</summary>
    public void Deliver(Message m)
    {
        if (_cut.Contains((m.From, m.To)) || _ignored.Contains(m.Type) || !Nodes.TryGetValue(m.To, out var to))
        {
            return;
        }

        Delivered.Add(m);
        to.Step(m);
    }

    /// <summary>Ticks every node once and lets the cluster settle.</summary>
    public void TickAll(int n = 1)
    {
        for (var i = 0; i < n; i++)
        {
            foreach (var node in Nodes.Values)
            {
                node.Tick();
            }

            Stabilize();
        }
    }

    /// <summary>The one leader among the nodes, or 0.</summary>
    public ulong Leader()
    {
        ulong lead = 0;
        foreach (var n in Nodes.Values)
        {
            if (n.R.State == StateType.Leader)
            {
                lead = n.Id;
            }
        }

        return lead;
    }
}

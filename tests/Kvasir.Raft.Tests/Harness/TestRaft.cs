using Google.Protobuf;

namespace Kvasir.Raft.Tests.Harness;

/// <summary>
/// One node for tests: a RawNode over a MemoryRaftLog, with a host that persists, applies and
/// advances every Ready the way the member will. Applied entries are recorded.
/// </summary>
internal sealed class TestRaft
{
    private TestRaft(RawNode node, MemoryRaftLog storage)
    {
        Node = node;
        Storage = storage;
    }

    public RawNode Node { get; private set; }

    public MemoryRaftLog Storage { get; }

    /// <summary>The state machine under test.</summary>
    public Raft R => Node.Raft;

    public ulong Id => Node.Id;

    /// <summary>Every committed entry applied, in order (normal and conf change entries).</summary>
    public List<Entry> Applied { get; } = [];

    /// <summary>The ConfState returned by the last ApplyConfChange.</summary>
    public ConfState? ConfState { get; private set; }

    /// <summary>ReadStates handed out so far.</summary>
    public List<ReadState> ReadStates { get; } = [];

    public static RaftConfig Config(ulong id, MemoryRaftLog storage, int election = 10, int heartbeat = 1, int seed = 1) => new()
    {
        Id = id,
        ElectionTick = election,
        HeartbeatTick = heartbeat,
        Storage = storage,
        MaxSizePerMsg = RaftConfig.NoLimit,
        MaxInflightMsgs = 256,
        CheckQuorum = false,
        PreVote = false,
        Random = new Random(seed + (int)id),
    };

    /// <summary>A node whose storage starts with <paramref name="voters"/> (and learners) as its configuration.</summary>
    public static TestRaft Create(ulong id, ulong[] voters, int election = 10, int heartbeat = 1, Action<RaftConfig>? configure = null, ulong[]? learners = null)
    {
        var cs = new ConfState();
        cs.Voters.AddRange(voters);
        if (learners is not null)
        {
            cs.Learners.AddRange(learners);
        }

        return Create(id, new MemoryRaftLog(cs), election, heartbeat, configure);
    }

    public static TestRaft Create(ulong id, MemoryRaftLog storage, int election = 10, int heartbeat = 1, Action<RaftConfig>? configure = null)
    {
        var config = Config(id, storage, election, heartbeat);
        configure?.Invoke(config);
        return new TestRaft(new RawNode(config), storage);
    }

    /// <summary>Pins the election timeout (otherwise drawn from [election, 2 × election)).</summary>
    public void SetElectionTimeout(int ticks) => R.SetRandomizedElectionTimeout(ticks);

    public StepResult Step(Message m) => Node.Step(m);

    public ProposalResult Propose(string data) => Node.Propose(ByteString.CopyFromUtf8(data));

    /// <summary>Ticks <paramref name="n"/> times.</summary>
    public void Tick(int n = 1)
    {
        for (var i = 0; i < n; i++)
        {
            Node.Tick();
        }
    }

    /// <summary>Handles one Ready (persist, apply, advance) and returns its messages, early ones first; empty when nothing is ready.</summary>
    public List<Message> ReadMessages()
    {
        var msgs = new List<Message>();
        while (Node.HasReady())
        {
            var rd = Node.Ready();
            Handle(rd);
            msgs.AddRange(rd.EarlyMessages);
            msgs.AddRange(rd.Messages);
            Node.Advance();
        }

        return msgs;
    }

    /// <summary>Persists and applies a Ready as the member does (without advancing).</summary>
    public void Handle(Ready rd)
    {
        if (rd.Snapshot is not null)
        {
            Storage.ApplySnapshot(rd.Snapshot);
            ConfState = rd.Snapshot.Metadata.ConfState;
        }

        Storage.Append(rd.Entries);
        if (rd.HardState is not null)
        {
            Storage.SetHardState(rd.HardState);
        }

        foreach (var e in rd.CommittedEntries)
        {
            Applied.Add(e);
            if (e.Type == EntryType.EntryConfChange)
            {
                ConfState = Node.ApplyConfChange(ConfChange.Parser.ParseFrom(e.Data));
            }
            else if (e.Type == EntryType.EntryConfChangeV2)
            {
                ConfState = Node.ApplyConfChange(ConfChangeV2.Parser.ParseFrom(e.Data));
            }
        }

        ReadStates.AddRange(rd.ReadStates);
    }

    /// <summary>Throws the node away and starts a new one from what its storage holds (a crash and restart).</summary>
    public void Restart(Action<RaftConfig>? configure = null, ulong applied = 0)
    {
        var config = Config(Id, Storage);
        configure?.Invoke(config);
        config.Applied = applied;
        Node = new RawNode(config);
    }

    /// <summary>The data of applied normal entries that carry data, as strings.</summary>
    public List<string> AppliedData()
    {
        var list = new List<string>();
        foreach (var e in Applied)
        {
            if (e.Type == EntryType.EntryNormal && !e.Data.IsEmpty)
            {
                list.Add(e.Data.ToStringUtf8());
            }
        }

        return list;
    }
}

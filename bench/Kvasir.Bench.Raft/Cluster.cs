using Google.Protobuf;
using Kvasir.Raft;

namespace Kvasir.Bench.Raft;

/// <summary>
/// Three RawNodes over MemoryRaftLogs and a perfect in-process network: what the member's loop
/// does around Raft (persist to memory, route messages, apply, advance), minus disks and sockets.
/// Messages reach their target in the same round they are sent.
/// </summary>
internal sealed class Cluster
{
    private readonly RawNode[] _nodes;
    private readonly MemoryRaftLog[] _logs;
    private readonly List<Message>[] _inbox;
    private readonly ConfState _conf;

    public Cluster(ReadOnlyOption readOnly = ReadOnlyOption.Safe)
    {
        _conf = new ConfState();
        _conf.Voters.AddRange([1, 2, 3]);
        _nodes = new RawNode[3];
        _logs = new MemoryRaftLog[3];
        _inbox = new List<Message>[3];
        for (var i = 0; i < 3; i++)
        {
            _logs[i] = new MemoryRaftLog(_conf);
            _inbox[i] = new List<Message>(1024);
            _nodes[i] = new RawNode(new RaftConfig
            {
                Id = (ulong)i + 1,
                Storage = _logs[i],
                Random = new Random(i),
                ReadOnlyOption = readOnly,
                MaxSizePerMsg = 1024 * 1024,
                MaxInflightMsgs = 256,
            });
        }

        _nodes[0].Campaign();
        while (_nodes[0].Status().RaftState != StateType.Leader)
        {
            Round();
        }

        for (var i = 0; i < 10; i++)
        {
            Round();
        }
    }

    public RawNode Leader => _nodes[0];

    /// <summary>Normal entries with data the leader has applied: the proposals acknowledged.</summary>
    public long Committed { get; private set; }

    public long Readies { get; private set; }

    public long ReadsAnswered { get; private set; }

    /// <summary>One round: every node handles its Readies, then every message is delivered.</summary>
    public void Round()
    {
        for (var i = 0; i < 3; i++)
        {
            var n = _nodes[i];
            while (n.HasReady())
            {
                Handle(i, n.Ready());
                n.Advance();
                Readies++;
            }
        }

        for (var i = 0; i < 3; i++)
        {
            var inbox = _inbox[i];
            for (var k = 0; k < inbox.Count; k++)
            {
                _nodes[i].Step(inbox[k]);
            }

            inbox.Clear();
        }
    }

    /// <summary>Keeps each log short, as the member does by snapshotting: compact behind the applied index.</summary>
    public void Compact()
    {
        for (var i = 0; i < 3; i++)
        {
            var applied = _nodes[i].Status().Applied;
            if (applied > 1000 && _logs[i].CreateSnapshot(applied - 500, _conf, ByteString.Empty, out _) == RaftLogStatus.Ok)
            {
                _logs[i].Compact(applied - 500);
            }
        }
    }

    private void Handle(int i, Ready rd)
    {
        var log = _logs[i];
        if (rd.Snapshot is not null)
        {
            log.ApplySnapshot(rd.Snapshot);
        }

        if (rd.Entries.Count > 0)
        {
            log.Append(rd.Entries);
        }

        if (rd.HardState is not null)
        {
            log.SetHardState(rd.HardState);
        }

        Route(rd.EarlyMessages);
        Route(rd.Messages);
        if (i == 0)
        {
            var committed = rd.CommittedEntries;
            for (var k = 0; k < committed.Count; k++)
            {
                if (!committed[k].Data.IsEmpty)
                {
                    Committed++;
                }
            }

            ReadsAnswered += rd.ReadStates.Count;
        }
    }

    private void Route(IReadOnlyList<Message> msgs)
    {
        for (var k = 0; k < msgs.Count; k++)
        {
            var m = msgs[k];
            _inbox[(int)m.To - 1].Add(m);
        }
    }
}

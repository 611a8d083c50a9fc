using System.Text;
using Google.Protobuf;
using Kvasir.Raft.Tests.Harness;

namespace Kvasir.Raft.Tests.Scenarios;

// Readies, delivery, and the commands that print state.
internal sealed partial class ScenarioEnv
{
    private void Stabilize(StringBuilder sb)
    {
        for (var round = 0; round < 1000; round++)
        {
            var moved = false;
            foreach (var (id, node) in _nodes)
            {
                while (!_down.Contains(id) && node.Node.HasReady())
                {
                    ProcessReady(node, sb);
                    moved = true;
                }
            }

            if (_queue.Count == 0 && !moved)
            {
                return;
            }

            Deliver(0, sb);
        }

        throw new InvalidOperationException("stabilize did not settle within 1000 rounds");
    }

    // run N: N rounds of "every node ticks, then the network settles", printing only changes of
    // role, leader or term (the messages are what stabilize shows).
    private void RunTicks(string[] args, StringBuilder sb)
    {
        var n = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        for (var t = 1; t <= n; t++)
        {
            var before = new Dictionary<ulong, (StateType, ulong, ulong)>();
            foreach (var (id, node) in _nodes)
            {
                before[id] = (node.R.State, node.R.Lead, node.R.Term);
            }

            TickAll(["tick-all", "1"]);
            Stabilize(new StringBuilder());
            foreach (var (id, node) in _nodes)
            {
                var now = (node.R.State, node.R.Lead, node.R.Term);
                if (!_down.Contains(id) && now != before[id])
                {
                    sb.Append("tick ").Append(t).Append(": ").Append(id).Append(" is ").Append(now.State).Append(" term=").Append(now.Term).Append(" lead=").Append(now.Lead).Append('\n');
                }
            }
        }
    }

    private void ProcessReady(TestRaft node, StringBuilder sb)
    {
        var rd = node.Node.Ready();
        sb.Append(node.Id).Append(": ready\n");
        if (rd.SoftState is { } ss)
        {
            sb.Append("  soft: ").Append(ss.RaftState).Append(" lead=").Append(ss.Lead).Append('\n');
        }

        if (rd.HardState is { } hs)
        {
            sb.Append("  hard: term=").Append(hs.Term).Append(" vote=").Append(hs.Vote).Append(" commit=").Append(hs.Commit);
            sb.Append(rd.MustSync ? " (sync)\n" : "\n");
        }

        if (rd.Entries.Count > 0)
        {
            sb.Append("  entries: ").AppendJoin("; ", rd.Entries.Select(Describe.Entry)).Append('\n');
        }

        if (rd.Snapshot is { } snap)
        {
            sb.Append("  snapshot: ").Append(snap.Metadata.Term).Append('/').Append(snap.Metadata.Index).Append(' ').Append(Describe.Config(snap.Metadata.ConfState)).Append('\n');
        }

        if (rd.CommittedEntries.Count > 0)
        {
            sb.Append("  committed: ").AppendJoin("; ", rd.CommittedEntries.Select(Describe.Entry)).Append('\n');
        }

        foreach (var rs in rd.ReadStates)
        {
            sb.Append("  read: index=").Append(rs.Index).Append(" \"").Append(rs.RequestCtx.ToStringUtf8()).Append("\"\n");
        }

        foreach (var m in rd.EarlyMessages)
        {
            sb.Append("  early: ").Append(Describe.Message(m)).Append('\n');
            _queue.Add(m);
        }

        foreach (var m in rd.Messages)
        {
            sb.Append("  send: ").Append(Describe.Message(m)).Append('\n');
            _queue.Add(m);
        }

        var before = node.ConfState;
        node.Handle(rd);
        if (!ReferenceEquals(before, node.ConfState) && node.ConfState is { } cs && rd.Snapshot is null)
        {
            sb.Append("  config: ").Append(Describe.Config(cs)).Append('\n');
        }

        node.Node.Advance();
    }

    private void Deliver(ulong to, StringBuilder sb)
    {
        var batch = _queue.FindAll(m => to == 0 || m.To == to);
        _queue.RemoveAll(m => to == 0 || m.To == to);
        foreach (var m in batch)
        {
            if (_cut.Contains((m.From, m.To)) || _dropped.Contains(m.Type) || _down.Contains(m.To) || !_nodes.TryGetValue(m.To, out var node))
            {
                sb.Append("dropped: ").Append(Describe.Message(m)).Append('\n');
                continue;
            }

            var result = node.Step(m);
            if (result != StepResult.Ok)
            {
                sb.Append("refused (").Append(result).Append("): ").Append(Describe.Message(m)).Append('\n');
            }
        }
    }

    private void Compact(TestRaft node, StringBuilder sb)
    {
        var applied = node.R.Log.Applied;
        node.Storage.CreateSnapshot(applied, node.Node.Status().Config, ByteString.CopyFromUtf8($"state@{applied}"), out _);
        node.Storage.Compact(applied);
        sb.Append(node.Id).Append(": snapshot at ").Append(applied).Append(", first index ").Append(node.Storage.FirstIndex()).Append('\n');
    }

    private void Restart(ulong id, StringBuilder sb)
    {
        var node = _nodes[id];
        _down.Remove(id);
        _queue.RemoveAll(m => m.To == id);
        node.Storage.Snapshot(out var snap);
        node.Restart(Configure(), applied: Math.Max(snap.Metadata.Index, Math.Min(node.R.Log.Applied, node.Storage.HardState.Commit)));
        sb.Append(id).Append(": restarted at term ").Append(node.R.Term).Append(", last index ").Append(node.R.Log.LastIndex()).Append(", commit ").Append(node.R.Log.Committed).Append('\n');
    }

    private static void Status(TestRaft node, StringBuilder sb)
    {
        var s = node.Node.Status();
        sb.Append(s.Id).Append(": ").Append(s.RaftState).Append(" term=").Append(s.Term).Append(" lead=").Append(s.Lead)
            .Append(" commit=").Append(s.Commit).Append(" applied=").Append(s.Applied).Append(' ').Append(Describe.Config(s.Config));
        if (s.LeadTransferee != 0)
        {
            sb.Append(" transferee=").Append(s.LeadTransferee);
        }

        sb.Append('\n');
        foreach (var (id, p) in s.Progress.OrderBy(kv => kv.Key))
        {
            sb.Append("  ").Append(id).Append(": ").Append(p.State).Append(" match=").Append(p.Match).Append(" next=").Append(p.Next);
            if (p.IsLearner)
            {
                sb.Append(" learner");
            }

            if (p.Paused)
            {
                sb.Append(" paused");
            }

            if (p.PendingSnapshot != 0)
            {
                sb.Append(" pendingSnap=").Append(p.PendingSnapshot);
            }

            if (p.Inflight > 0)
            {
                sb.Append(" inflight=").Append(p.Inflight);
            }

            sb.Append('\n');
        }
    }

    private static void Log(TestRaft node, StringBuilder sb)
    {
        var r = node.R;
        sb.Append(node.Id).Append(": first=").Append(r.Log.FirstIndex()).Append(" last=").Append(r.Log.LastIndex()).Append(" commit=").Append(r.Log.Committed).Append('\n');
        var into = new List<Entry>();
        if (r.Log.LastIndex() >= r.Log.FirstIndex())
        {
            r.Log.Slice(r.Log.FirstIndex(), r.Log.LastIndex() + 1, RaftConfig.NoLimit, into);
        }

        foreach (var e in into)
        {
            sb.Append("  ").Append(Describe.Entry(e)).Append('\n');
        }
    }

    private void State(StringBuilder sb)
    {
        foreach (var (id, node) in _nodes)
        {
            if (_down.Contains(id))
            {
                sb.Append(id).Append(": down\n");
                continue;
            }

            var r = node.R;
            sb.Append(id).Append(": ").Append(r.State).Append(" term=").Append(r.Term).Append(" lead=").Append(r.Lead)
                .Append(" last=").Append(r.Log.LastIndex()).Append(" commit=").Append(r.Log.Committed).Append('\n');
        }
    }

    private static void Applied(TestRaft node, StringBuilder sb) =>
        sb.Append(node.Id).Append(": ").Append(string.Join(' ', node.AppliedData())).Append('\n');
}

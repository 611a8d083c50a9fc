using System.Buffers.Binary;

namespace Kvasir.Raft.Tests.Simulation;

// Handling a Ready as the member does — send early, persist, send, apply, advance — with crashes
// at every point in between, and the checks on what it carries.
internal sealed partial class Simulator
{
    private void ProcessReady(SimNode n)
    {
        var node = n.Node!;
        var rd = node.Ready();
        Stats.Readies++;
        var r = node.Raft;
        _checker.OnEntries(n.Id, rd.Entries, r);
        if (rd.HardState is { } hs)
        {
            if (hs.Commit < n.LastCommit)
            {
                throw new SimulationFailure($"node {n.Id} commit index went back from {n.LastCommit} to {hs.Commit}");
            }

            n.LastCommit = hs.Commit;
            _checker.OnCommit(n.Id, hs.Commit, r);
        }

        if (rd.SoftState is { } ss && _trace is not null)
        {
            _trace.Add($"t{_now} node {n.Id} is {ss.RaftState} at term {r.Term}, lead {ss.Lead}");
        }

        Send(n, rd.EarlyMessages);
        if (_faults && _o.CrashInReadyRate > 0 && _rng.Next(1000) < _o.CrashInReadyRate)
        {
            CrashInReady(n, rd);
            return;
        }

        Persist(n, rd, rd.Entries.Count, withHardState: true);
        Send(n, rd.Messages);
        Apply(n, rd);
        if (!n.Up)
        {
            return;
        }

        node.Advance();
        CheckNode(n);
    }

    // A crash while handling a Ready: before persisting, after persisting part of the entries
    // (a torn WAL tail keeps a prefix of the batch, and the HardState only with all of it), or
    // after persisting everything but before sending.
    private void CrashInReady(SimNode n, Ready rd)
    {
        var point = _rng.Next(3);
        if (point == 1)
        {
            Persist(n, rd, _rng.Next(rd.Entries.Count + 1), withHardState: false);
        }
        else if (point == 2)
        {
            Persist(n, rd, rd.Entries.Count, withHardState: true);
        }

        _trace?.Add($"t{_now} node {n.Id} crashes while handling a Ready (point {point})");
        Stats.CrashesInReady++;
        n.Crash();
    }

    private static void Persist(SimNode n, Ready rd, int entries, bool withHardState)
    {
        if (rd.Snapshot is not null)
        {
            n.Disk.ApplySnapshot(rd.Snapshot);
        }

        if (entries > 0)
        {
            var list = new List<Entry>(entries);
            for (var i = 0; i < entries; i++)
            {
                list.Add(rd.Entries[i]);
            }

            n.Disk.Append(list);
        }

        if (withHardState && rd.HardState is { } hs)
        {
            var old = n.Disk.HardState;
            if (hs.Commit < old.Commit && rd.Snapshot is null)
            {
                throw new SimulationFailure($"node {n.Id} would persist commit {hs.Commit} below the durable {old.Commit}");
            }

            if (hs.Term < old.Term)
            {
                throw new SimulationFailure($"node {n.Id} would persist term {hs.Term} below the durable {old.Term}");
            }

            n.Disk.SetHardState(hs);
        }
    }

    private void Apply(SimNode n, Ready rd)
    {
        if (rd.Snapshot is { } snap)
        {
            var index = BinaryPrimitives.ReadUInt64LittleEndian(snap.Data.Span);
            var hash = BinaryPrimitives.ReadUInt64LittleEndian(snap.Data.Span[8..]);
            if (index != snap.Metadata.Index)
            {
                throw new SimulationFailure($"snapshot metadata index {snap.Metadata.Index} does not match its data ({index})");
            }

            _checker.OnSnapshot(n.Id, index, hash);
            Stats.SnapshotsInstalled++;
            n.InstallSnapshot(snap);
            OnMembership(n.AppliedConf, index);
        }

        foreach (var e in rd.CommittedEntries)
        {
            if (!n.Up)
            {
                // Removed by an entry just applied: the member stops.
                return;
            }

            n.ApplyEntry(e, _checker, _removedAt);

            // The bootstrap entries build the first configuration one member at a time.
            if (e.Type != EntryType.EntryNormal && e.Index > (ulong)_o.Nodes)
            {
                _trace?.Add($"t{_now} node {n.Id} applies conf entry {e.Index}/{e.Term}: voters=({string.Join(' ', n.AppliedConf.Voters)}) out=({string.Join(' ', n.AppliedConf.VotersOutgoing)}) learners=({string.Join(' ', n.AppliedConf.Learners)})");
                Stats.ConfChangesApplied++;
                OnMembership(n.AppliedConf, e.Index);
            }

            if (_sentinelIndex == 0 && _sentinel is not null && e.Type == EntryType.EntryNormal && e.Data.Equals(_sentinel))
            {
                _sentinelIndex = e.Index;
            }
        }

        foreach (var rs in rd.ReadStates)
        {
            var id = BinaryPrimitives.ReadUInt64LittleEndian(rs.RequestCtx.Span);
            // A duplicated request may be answered twice; each answer must be fresh enough.
            if (!_reads.TryGetValue(id, out var required))
            {
                throw new SimulationFailure($"node {n.Id} answers read {id}, which was never asked");
            }

            Stats.ReadsAnswered++;
            _readsAnswered.Add(id);
            if (rs.Index < required)
            {
                throw new SimulationFailure($"read {id} on node {n.Id} got index {rs.Index}, but index {required} was committed before it was asked: a stale read");
            }
        }
    }
}

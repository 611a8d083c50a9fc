using Google.Protobuf;
using static Kvasir.Raft.Tests.Harness.Fixtures;

namespace Kvasir.Raft.Tests.Unit;

public sealed class MemoryRaftLogTests
{
    private static MemoryRaftLog WithEntries(int n)
    {
        var s = new MemoryRaftLog();
        var terms = new ulong[n];
        for (var i = 0; i < n; i++)
        {
            terms[i] = (ulong)(i / 3) + 1;
        }

        s.Append(Log(terms));
        return s;
    }

    private static List<ulong> Indexes(MemoryRaftLog s)
    {
        var into = new List<Entry>();
        if (s.LastIndex() >= s.FirstIndex())
        {
            Assert.Equal(RaftLogStatus.Ok, s.Entries(s.FirstIndex(), s.LastIndex() + 1, RaftConfig.NoLimit, into));
        }

        return into.ConvertAll(e => e.Index);
    }

    [Fact]
    public void Empty_HasFirstIndexOneAndLastIndexZero()
    {
        var s = new MemoryRaftLog();
        Assert.Equal(1UL, s.FirstIndex());
        Assert.Equal(0UL, s.LastIndex());
        Assert.Equal(RaftLogStatus.Ok, s.Term(0, out var t));
        Assert.Equal(0UL, t);
        Assert.Equal(RaftLogStatus.Unavailable, s.Term(1, out _));
    }

    [Fact]
    public void Append_ConflictingTail_IsReplaced()
    {
        var s = WithEntries(5);
        s.Append([E(3, 9), E(4, 9)]);
        Assert.Equal(4UL, s.LastIndex());
        s.Term(3, out var t);
        Assert.Equal(9UL, t);
    }

    [Fact]
    public void Append_BadBatches_ThrowAndChangeNothing()
    {
        var s = WithEntries(5);
        Assert.Throws<ArgumentException>(() => s.Append([E(7, 2)]));
        Assert.Throws<ArgumentException>(() => s.Append([E(6, 2), E(8, 2)]));
        Assert.Equal([1UL, 2UL, 3UL, 4UL, 5UL], Indexes(s));
    }

    [Fact]
    public void Append_EntriesBeforeTheSnapshot_AreSkipped()
    {
        var s = WithEntries(6);
        s.Compact(4);
        s.Append([E(3, 1), E(4, 2), E(5, 2), E(6, 2), E(7, 3)]);
        Assert.Equal([5UL, 6UL, 7UL], Indexes(s));
        s.Append([E(1, 1), E(2, 1)]);
        Assert.Equal([5UL, 6UL, 7UL], Indexes(s));
    }

    [Fact]
    public void Compact_DropsThePrefixAndKeepsTheTermOfItsLastEntry()
    {
        var s = WithEntries(9);
        Assert.Equal(RaftLogStatus.Ok, s.Compact(5));
        Assert.Equal(6UL, s.FirstIndex());
        Assert.Equal(RaftLogStatus.Ok, s.Term(5, out var t));
        Assert.Equal(2UL, t);
        Assert.Equal(RaftLogStatus.Compacted, s.Term(4, out _));
        Assert.Equal(RaftLogStatus.Compacted, s.Entries(5, 7, RaftConfig.NoLimit, []));
        Assert.Equal(RaftLogStatus.Compacted, s.Compact(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Compact(10));
        Assert.Equal([6UL, 7UL, 8UL, 9UL], Indexes(s));
    }

    [Fact]
    public void Entries_ByteLimit_KeepsAtLeastOneEntry()
    {
        var s = new MemoryRaftLog();
        s.Append([E(1, 1, "0123456789"), E(2, 1, "0123456789"), E(3, 1, "0123456789")]);
        var size = (ulong)E(1, 1, "0123456789").CalculateSize();
        var into = new List<Entry>();
        s.Entries(1, 4, 0, into);
        Assert.Single(into);
        into.Clear();
        s.Entries(1, 4, size * 2, into);
        Assert.Equal(2, into.Count);
        into.Clear();
        s.Entries(1, 4, size * 2 - 1, into);
        Assert.Single(into);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Entries(1, 5, 100, into));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Entries(3, 2, 100, into));
    }

    [Fact]
    public void AppendAndCompact_ManyTimes_KeepTheWindowConsistent()
    {
        // Exercises the array's shifting and growing with a moving window.
        var s = new MemoryRaftLog();
        ulong next = 1;
        for (var round = 0; round < 200; round++)
        {
            var batch = new List<Entry>();
            for (var i = 0; i < 1 + (round % 7); i++)
            {
                batch.Add(E(next++, 1));
            }

            s.Append(batch);
            if (round % 3 == 0 && s.LastIndex() > 5)
            {
                s.Compact(s.LastIndex() - 5);
            }
        }

        var indexes = Indexes(s);
        Assert.Equal(s.FirstIndex(), indexes[0]);
        Assert.Equal(s.LastIndex(), indexes[^1]);
        for (var i = 1; i < indexes.Count; i++)
        {
            Assert.Equal(indexes[i - 1] + 1, indexes[i]);
        }
    }

    [Fact]
    public void CreateSnapshot_RecordsIndexTermAndConfig()
    {
        var s = WithEntries(6);
        var data = ByteString.CopyFromUtf8("state");
        Assert.Equal(RaftLogStatus.Ok, s.CreateSnapshot(4, Voters(1, 2), data, out var snap));
        Assert.Equal(4UL, snap.Metadata.Index);
        Assert.Equal(2UL, snap.Metadata.Term);
        Assert.Equal(RaftLogStatus.SnapshotOutOfDate, s.CreateSnapshot(3, Voters(1), data, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.CreateSnapshot(7, Voters(1), data, out _));
        s.Snapshot(out var got);
        Assert.Same(snap, got);
        Assert.Equal([1UL, 2UL], s.InitialState().ConfState.Voters);
    }

    [Fact]
    public void ApplySnapshot_ReplacesTheLog_OlderOneIsRefused()
    {
        var s = WithEntries(6);
        var snap = new Snapshot { Metadata = new SnapshotMetadata { Index = 20, Term = 5, ConfState = Voters(1) } };
        Assert.Equal(RaftLogStatus.Ok, s.ApplySnapshot(snap));
        Assert.Equal(21UL, s.FirstIndex());
        Assert.Equal(20UL, s.LastIndex());
        Assert.Equal(RaftLogStatus.Ok, s.Term(20, out var t));
        Assert.Equal(5UL, t);
        var older = new Snapshot { Metadata = new SnapshotMetadata { Index = 10, Term = 5 } };
        Assert.Equal(RaftLogStatus.SnapshotOutOfDate, s.ApplySnapshot(older));
        Assert.Equal(21UL, s.FirstIndex());
        Assert.Throws<ArgumentException>(() => s.ApplySnapshot(new Snapshot()));
    }

    [Fact]
    public void HardState_IsCopiedInAndOut()
    {
        var s = new MemoryRaftLog();
        var hs = new HardState { Term = 3, Vote = 2, Commit = 0 };
        s.SetHardState(hs);
        hs.Term = 99;
        Assert.Equal(3UL, s.HardState.Term);
        Assert.Equal(3UL, s.InitialState().HardState.Term);
    }

    [Fact]
    public async Task Compact_FromAnotherThread_WhileTheLoopAppendsAndReads_StaysConsistent()
    {
        var s = new MemoryRaftLog();
        s.Append([E(1, 1)]);
        using var cts = new CancellationTokenSource();
        var token = cts.Token;
        var compactor = Task.Run(() =>
        {
            while (!token.IsCancellationRequested)
            {
                var last = s.LastIndex();
                if (last > 10)
                {
                    s.Compact(last - 10);
                }
            }
        });
        var into = new List<Entry>();
        for (ulong i = 2; i < 20_000; i++)
        {
            s.Append([E(i, 1)]);
            into.Clear();
            var first = s.FirstIndex();
            var status = s.Entries(Math.Max(first, i > 3 ? i - 3 : 1), i + 1, RaftConfig.NoLimit, into);
            Assert.True(status is RaftLogStatus.Ok or RaftLogStatus.Compacted);
            if (status == RaftLogStatus.Ok)
            {
                Assert.Equal(i, into[^1].Index);
            }
        }

        await cts.CancelAsync();
        await compactor;
        Assert.Equal(19_999UL, s.LastIndex());
    }
}

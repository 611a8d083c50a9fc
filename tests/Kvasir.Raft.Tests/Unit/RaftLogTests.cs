using static Kvasir.Raft.Tests.Harness.Fixtures;

namespace Kvasir.Raft.Tests.Unit;

/// <summary>Raft's log view: storage overlaid by the unstable tail.</summary>
public sealed class RaftLogTests
{
    private static RaftLog Stable(params ulong[] terms)
    {
        var s = new MemoryRaftLog();
        s.Append(Log(terms));
        return new RaftLog(s, NullRaftLogger.Instance, RaftConfig.NoLimit);
    }

    [Fact]
    public void MaybeAppend_MatchingPrev_AppendsAndCommitsUpToTheLastNewEntry()
    {
        var log = Stable(1, 1, 2);
        Assert.True(log.MaybeAppend(3, 2, 10, [E(4, 2), E(5, 3)], out var last));
        Assert.Equal(5UL, last);
        Assert.Equal(5UL, log.Committed);
        Assert.Equal(5UL, log.LastIndex());
    }

    [Fact]
    public void MaybeAppend_MismatchedPrev_ChangesNothing()
    {
        var log = Stable(1, 1, 2);
        Assert.False(log.MaybeAppend(3, 1, 10, [E(4, 2)], out _));
        Assert.Equal(3UL, log.LastIndex());
        Assert.Equal(0UL, log.Committed);
    }

    [Fact]
    public void MaybeAppend_ConflictWithACommittedEntry_Throws()
    {
        var log = Stable(1, 1, 2);
        log.CommitTo(3);
        Assert.Throws<InvalidOperationException>(() => log.MaybeAppend(1, 1, 3, [E(2, 5)], out _));
    }

    [Fact]
    public void CommitTo_BeyondTheLastIndex_Throws()
    {
        var log = Stable(1, 1);
        Assert.Throws<InvalidOperationException>(() => log.CommitTo(3));
        log.CommitTo(2);
        log.CommitTo(1);
        Assert.Equal(2UL, log.Committed);
    }

    [Theory]
    [InlineData(9UL, 2UL, 6UL, 2UL)]
    [InlineData(9UL, 4UL, 8UL, 4UL)]
    [InlineData(9UL, 1UL, 3UL, 1UL)]
    [InlineData(9UL, 0UL, 0UL, 0UL)]
    [InlineData(2UL, 5UL, 2UL, 1UL)]
    public void FindConflictByTerm_LastIndexWithATermAtMostTheGiven(ulong index, ulong term, ulong wantIndex, ulong wantTerm)
    {
        var log = Stable(1, 1, 1, 2, 2, 2, 4, 4, 5);
        Assert.Equal((wantIndex, wantTerm), log.FindConflictByTerm(index, term));
    }

    [Fact]
    public void Slice_AcrossStorageAndUnstable_HonoursTheByteLimit()
    {
        var log = Stable(1, 1, 1);
        log.Append([E(4, 2, "unstable-1"), E(5, 2, "unstable-2")]);
        var into = new List<Entry>();
        Assert.Equal(RaftLogStatus.Ok, log.Slice(2, 6, RaftConfig.NoLimit, into));
        Assert.Equal([2UL, 3UL, 4UL, 5UL], into.ConvertAll(e => e.Index));
        into.Clear();
        log.Slice(2, 6, 0, into);
        Assert.Single(into);
        into.Clear();
        var twoStable = RaftLog.EntrySize(E(2, 1)) * 2;
        log.Slice(2, 6, twoStable, into);
        Assert.Equal([2UL, 3UL], into.ConvertAll(e => e.Index));
    }

    [Fact]
    public void UnstableTail_ReplacedBelowItsOffset_ShadowsTheStorage()
    {
        var log = Stable(1, 1, 1);
        log.Append([E(2, 3), E(3, 3)]);
        Assert.Equal(3UL, log.TermOrZero(2));
        Assert.Equal(3UL, log.LastIndex());
        var next = log.Unstable.NextEntries();
        Assert.Equal(2UL, next[0].Index);
    }

    [Fact]
    public void StableTo_WithAReplacedTerm_KeepsTheEntryUnstable()
    {
        var log = Stable();
        log.Append([E(1, 1), E(2, 1)]);
        log.Unstable.AcceptInProgress();
        log.Append([E(2, 2)]);
        log.Unstable.StableTo(2, 1);
        Assert.Equal(1UL, log.Unstable.Offset);
        log.Unstable.StableTo(2, 2);
        Assert.Equal(3UL, log.Unstable.Offset);
    }

    [Fact]
    public void IsUpToDate_ComparesLastTermThenLength()
    {
        var log = Stable(1, 2, 2);
        Assert.True(log.IsUpToDate(1, 3));
        Assert.True(log.IsUpToDate(3, 2));
        Assert.False(log.IsUpToDate(2, 2));
        Assert.False(log.IsUpToDate(9, 1));
    }

    [Fact]
    public void NextCommittedEntries_StopAtASnapshotInProgress()
    {
        var log = Stable(1, 1);
        log.CommitTo(2);
        Assert.Equal(2, log.NextCommittedEntries().Length);
        log.Restore(new Snapshot { Metadata = new SnapshotMetadata { Index = 5, Term = 1, ConfState = Voters(1) } });
        Assert.Empty(log.NextCommittedEntries());
        Assert.Equal(5UL, log.Committed);
        Assert.Equal(6UL, log.FirstIndex());
    }
}

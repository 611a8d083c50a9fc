using Kvasir.Raft.Tracker;

namespace Kvasir.Raft.Tests.Unit;

public sealed class ProgressTests
{
    private static Progress P(ulong match, ulong next, int inflight = 4) => new(next, new Inflights(inflight, 0), isLearner: false) { Match = match };

    [Fact]
    public void Inflights_FullAtTheCountLimit_FreedByAcknowledgement()
    {
        var inf = new Inflights(3, 0);
        inf.Add(5, 10);
        inf.Add(7, 10);
        inf.Add(9, 10);
        Assert.True(inf.Full);
        Assert.Throws<InvalidOperationException>(() => inf.Add(11, 1));
        inf.FreeLE(6);
        Assert.Equal(2, inf.Count);
        Assert.Equal(20UL, inf.Bytes);
        inf.FreeLE(4);
        Assert.Equal(2, inf.Count);
        inf.FreeLE(100);
        Assert.Equal(0, inf.Count);
    }

    [Fact]
    public void Inflights_FullAtTheByteLimit()
    {
        var inf = new Inflights(100, 50);
        inf.Add(1, 30);
        Assert.False(inf.Full);
        inf.Add(2, 30);
        Assert.True(inf.Full);
        inf.FreeLE(1);
        Assert.False(inf.Full);
    }

    [Fact]
    public void Inflights_RingWrapsAround()
    {
        var inf = new Inflights(4, 0);
        for (ulong i = 1; i <= 100; i++)
        {
            inf.Add(i, 1);
            if (inf.Full)
            {
                inf.FreeLE(i - 2);
            }
        }

        Assert.Equal(2, inf.Count);
        inf.FreeLE(99);
        Assert.Equal(1, inf.Count);
    }

    [Fact]
    public void MaybeUpdate_OnlyMovesForward()
    {
        var p = P(5, 6);
        Assert.False(p.MaybeUpdate(4));
        Assert.True(p.MaybeUpdate(8));
        Assert.Equal(8UL, p.Match);
        Assert.Equal(9UL, p.Next);
    }

    [Fact]
    public void MaybeDecrTo_Replicate_StaleRejectionIgnored_ElseBackToMatch()
    {
        var p = P(5, 10);
        p.BecomeReplicate();
        Assert.False(p.MaybeDecrTo(4, 4));
        Assert.True(p.MaybeDecrTo(9, 9));
        Assert.Equal(6UL, p.Next);
    }

    [Fact]
    public void MaybeDecrTo_Probe_OnlyTheOutstandingProbeCounts()
    {
        var p = P(0, 10);
        Assert.False(p.MaybeDecrTo(5, 3));
        Assert.True(p.MaybeDecrTo(9, 3));
        Assert.Equal(4UL, p.Next);
        Assert.False(p.MsgAppFlowPaused);
    }

    [Fact]
    public void Probe_PausesAfterAnAppendWithEntries()
    {
        var p = P(0, 1);
        Assert.False(p.IsPaused);
        p.SentEntries(0, 0);
        Assert.False(p.IsPaused);
        p.SentEntries(2, 10);
        Assert.True(p.IsPaused);
    }

    [Fact]
    public void BecomeProbe_FromSnapshot_ResumesAfterTheSnapshot()
    {
        var p = P(2, 3);
        p.BecomeSnapshot(10);
        Assert.True(p.IsPaused);
        p.BecomeProbe();
        Assert.Equal(11UL, p.Next);
        Assert.Equal(ProgressState.Probe, p.State);
    }
}

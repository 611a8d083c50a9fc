using Kvasir.Server.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Member;

/// <summary>Auto-compaction as etcd's v3compactor, on a clock the test moves.</summary>
public sealed class AutoCompactionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RevisionMode_Every5Minutes_CompactsRetentionBehindTheCurrentRevision()
    {
        var clock = new ManualTimeProvider(ManualTimerOptions.LikeRealTimers);
        await using var m = await InProcessMember.StartAsync(clock, "--auto-compaction-mode", "revision", "--auto-compaction-retention", "10");
        for (var i = 0; i < 30; i++)
        {
            await m.PutAsync("k", $"v{i}");
        }

        Assert.Equal(31, m.Server.Store.CurrentRevision);
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(-1, m.Server.Store.CompactRevision);
        await Poll.UntilAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromSeconds(30));
                return m.Server.Store.CompactRevision == 21;
            },
            Bound,
            "a revision compaction at 31 - 10");
    }

    [Fact]
    public async Task PeriodicMode_AfterThePeriod_CompactsAtTheRevisionOfOnePeriodAgo()
    {
        var clock = new ManualTimeProvider(ManualTimerOptions.LikeRealTimers);
        await using var m = await InProcessMember.StartAsync(clock, "--auto-compaction-mode", "periodic", "--auto-compaction-retention", "10m");
        for (var i = 0; i < 10; i++)
        {
            await m.PutAsync("k", $"v{i}");
        }

        // Revision 11 is recorded at every sample from now on; nothing is compacted before 10 minutes pass.
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(-1, m.Server.Store.CompactRevision);
        await Poll.UntilAsync(
            () =>
            {
                clock.Advance(TimeSpan.FromMinutes(1));
                return m.Server.Store.CompactRevision == 11;
            },
            Bound,
            "a periodic compaction at revision 11");
    }
}

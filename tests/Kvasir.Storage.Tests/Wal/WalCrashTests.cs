using System.Globalization;
using Kvasir.Storage.IO;
using Kvasir.Storage.Snap;
using Kvasir.Storage.Wal;
using Kvasir.Testing;
using Xunit.Abstractions;

namespace Kvasir.Storage.Tests.Wal;

/// <summary>
/// The real thing: a child process writes through the WAL on disk (concurrent writers, leader
/// changes, snapshots and releases, small segments so cuts are frequent) and is killed with SIGKILL
/// at a random moment (before it is ready, as it becomes ready, or after a random number of durable
/// appends). Reopening loses nothing the child reported durable and holds a prefix of what it wrote.
/// Each round continues the same log.
/// </summary>
public sealed class WalCrashTests(ITestOutputHelper output)
{
    private const int Rounds = 12;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static IEnumerable<object[]> Seeds() => WalSeed.Seeds(first: 7, count: 1).Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Seeds))]
    public Task Child_KilledAtRandomMoments_ReopenLosesNothingReportedDurable(int seed) =>
        WalSeed.RunAsync(seed, nameof(Child_KilledAtRandomMoments_ReopenLosesNothingReportedDurable), RunAsync);

    private async Task RunAsync(int seed)
    {
        var random = new Random(seed);
        using var dir = new TempDir("kvasir-wal-crash");
        var child = Path.Combine(AppContext.BaseDirectory, "Kvasir.Storage.CrashChild.dll");
        var events = new List<string>();
        var log = new List<string>();
        for (var round = 0; round < Rounds; round++)
        {
            var writers = random.Next(1, 9);
            var moment = random.Next(10);
            var killAfter = moment == 0 ? -1 : moment == 1 ? 0 : random.Next(1, 400);
            var segmentBytes = random.Next(2) == 0 ? 64 * 1024 : 256 * 1024;
            string[] args = ["exec", child, "wal", dir.Path, random.Next().ToString(CultureInfo.InvariantCulture), writers.ToString(CultureInfo.InvariantCulture), segmentBytes.ToString(CultureInfo.InvariantCulture)];
            using (var process = ChildProcess.Start("dotnet", args))
            {
                if (killAfter >= 0)
                {
                    await process.WaitForOutputAsync("ready", Bound);
                    await Poll.UntilAsync(
                        () => process.HasExited || Count(process.Stdout, "D ") >= killAfter,
                        Bound,
                        $"{killAfter} durable appends from pid {process.Pid}",
                        TimeSpan.FromMilliseconds(5));
                }

                Assert.False(process.HasExited, $"the child exited by itself: {process.Stderr}");
                process.Kill();
                Assert.True(await process.WaitForExitAsync(Bound), $"pid {process.Pid} survived SIGKILL");
                foreach (var line in process.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (line.Length > 2 && line[1] == ' ' && "DCRS".Contains(line[0], StringComparison.Ordinal))
                    {
                        events.Add(line);
                    }
                }

                log.Add($"round {round}: {writers} writers, {segmentBytes / 1024} KiB segments, kill after {killAfter} durable appends: {Count(process.Stdout, "D ")} reported, {Count(process.Stdout, "S ")} snapshots; stderr: {process.Stderr.Trim()}");
                output.WriteLine(log[^1]);
            }

            try
            {
                Verify(dir.Path, events, repair: round % 2 == 0);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException(string.Join("\n", log), e);
            }
        }

        Assert.Contains(events, e => e.StartsWith("D ", StringComparison.Ordinal));
    }

    /// <summary>Starts as the member would (snapshot markers, newest usable snapshot, the WAL at it) and checks the log.</summary>
    private static void Verify(string dir, List<string> events, bool repair)
    {
        var walDirectory = Path.Combine(dir, "wal");
        if (!Directory.Exists(walDirectory) || !WriteAheadLog.Exists(new FileStorageDevice(walDirectory, create: false)))
        {
            Assert.DoesNotContain(events, e => e.StartsWith("D ", StringComparison.Ordinal));
            return;
        }

        using var device = new FileStorageDevice(walDirectory, create: false);
        var snapshots = new Snapshotter(Path.Combine(dir, "snap"));
        var loaded = snapshots.LoadNewestAvailable(WriteAheadLog.ReadSnapshotMarkers(device)).Snapshot;
        var at = loaded is null ? WalSnapshot.None : new WalSnapshot(loaded.Metadata.Index, loaded.Metadata.Term);
        if (repair)
        {
            using var wal = WriteAheadLog.Open(device, at, new WalOptions { SegmentBytes = 64 * 1024 });
            WalCrashChecker.Check(events, wal.Recovered, loaded);
        }
        else
        {
            WalCrashChecker.Check(events, WriteAheadLog.Read(device, at), loaded);
        }
    }

    private static int Count(string text, string prefix)
    {
        var count = 0;
        var at = 0;
        while ((at = text.IndexOf(prefix, at, StringComparison.Ordinal)) >= 0)
        {
            if (at == 0 || text[at - 1] == '\n')
            {
                count++;
            }

            at += prefix.Length;
        }

        return count;
    }
}

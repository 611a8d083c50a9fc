using Kvasir.Storage.CrashChild;
using Kvasir.Storage.IO;
using Kvasir.Storage.Snap;
using Kvasir.Storage.Wal;

namespace Kvasir.Storage.Tests.Wal;

/// <summary>
/// Power loss at random instants, in process and deterministic from a seed: the workload writes
/// through the WAL on a memory device; at a random append the device crashes (losing unsynced
/// data, tearing sectors, or keeping everything as a killed process would), or a random write,
/// sync, rename or directory sync fails first; then the member restarts as it would and the log
/// is checked against what was reported durable. Three crashes per seed, each run continuing the log.
/// Odd seeds write on the waiting caller (<see cref="WalOptions.FlushOnCaller"/>), even ones on the flusher thread.
/// </summary>
public sealed class WalCrashSimulationTests
{
    public static IEnumerable<object[]> Seeds() => WalSeed.Seeds(first: 1000, count: 40).Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Seeds))]
    public Task Crash_AtRandomInstant_ReopenKeepsEverythingReportedDurable(int seed) =>
        WalSeed.RunAsync(seed, nameof(Crash_AtRandomInstant_ReopenKeepsEverythingReportedDurable), RunAsync);

    private static async Task RunAsync(int seed)
    {
        var random = new Random(seed);
        var memory = new MemoryStorageDevice();
        var options = new WalOptions { SegmentBytes = random.Next(2) == 0 ? 4096 : 16 * 1024, MaxWals = 2, PrepareSegmentsInBackground = random.Next(2) == 0, FlushOnCaller = (seed & 1) == 1 };
        var events = new List<string>();
        void Report(string line)
        {
            lock (events)
            {
                events.Add(line);
            }
        }

        for (var round = 0; round < 3; round++)
        {
            var device = new FaultyStorageDevice(memory);
            if (random.Next(3) == 0)
            {
                device.Faults.Fail((StorageOperation)random.Next(8), random.Next(1, 40));
            }

            var crash = (MemoryCrash)random.Next(3);
            var crashAt = random.Next(5, 150);
            var crashRandom = new Random(random.Next());
            var dying = memory;
            MemoryStorageDevice? rebooted = null;
            var snapshots = new Snapshotter(device);
            WriteAheadLog? wal = null;
            try
            {
                wal = WalCrashMode.OpenOrCreate(device, snapshots, options);
            }
            catch (IOException)
            {
                // An injected fault hit the start itself: the member fails to start and dies there.
            }

            if (wal is not null)
            {
                var workload = new WalCrashWorkload(wal, snapshots, random.Next(), Report)
                {
                    AfterAppend = count =>
                    {
                        if (count == crashAt)
                        {
                            rebooted = dying.Crash(crash, crashRandom);
                        }
                    },
                };
                try
                {
                    await workload.RunAsync(random.Next(1, 5), crashAt + 1, CancellationToken.None);
                }
                catch (IOException)
                {
                    // The crash or an injected fault hit the snapshotter or a release: the process died there.
                }

                await wal.DisposeAsync();
            }

            memory = rebooted ?? dying.Crash(crash, crashRandom);
            if (!WriteAheadLog.Exists(memory))
            {
                lock (events)
                {
                    Assert.Empty(events);
                }

                continue;
            }

            var markers = WriteAheadLog.ReadSnapshotMarkers(memory);
            var loaded = new Snapshotter(memory).LoadNewestAvailable(markers).Snapshot;
            var at = loaded is null ? WalSnapshot.None : new WalSnapshot(loaded.Metadata.Index, loaded.Metadata.Term);
            var recovered = WriteAheadLog.Read(memory, at);
            lock (events)
            {
                WalCrashChecker.Check(events, recovered, loaded);
            }
        }
    }
}

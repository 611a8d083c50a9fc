using System.Globalization;
using System.Runtime.CompilerServices;
using Kvasir.Storage.IO;
using Kvasir.Storage.Snap;
using Kvasir.Storage.Wal;

namespace Kvasir.Storage.CrashChild;

/// <summary>
/// <c>wal &lt;dir&gt; &lt;seed&gt; &lt;writers&gt; &lt;segmentBytes&gt;</c>: opens (or creates) the WAL in
/// dir/wal at the newest usable snapshot in dir/snap, prints <c>ready</c>, then runs
/// <see cref="WalCrashWorkload"/> until killed, printing each durable event on its own line.
/// </summary>
public static class WalCrashMode
{
    public static readonly WalMetadata Metadata = new(0xC7A5, 0x1);

    [ModuleInitializer]
    internal static void Register() => Modes.Register("wal", Run);

    /// <summary>Opens the WAL as a member would on start: snapshot markers from the WAL, the newest snapshot that has one, the WAL at it.</summary>
    public static WriteAheadLog OpenOrCreate(IStorageDevice walDevice, Snapshotter snapshots, WalOptions options)
    {
        if (!WriteAheadLog.Exists(walDevice))
        {
            return WriteAheadLog.Create(walDevice, Metadata, options);
        }

        var markers = WriteAheadLog.ReadSnapshotMarkers(walDevice);
        var loaded = snapshots.LoadNewestAvailable(markers).Snapshot;
        var at = loaded is null ? WalSnapshot.None : new WalSnapshot(loaded.Metadata.Index, loaded.Metadata.Term);
        return WriteAheadLog.Open(walDevice, at, options);
    }

    private static int Run(string[] args)
    {
        if (args.Length != 4)
        {
            Console.Error.WriteLine("usage: wal <dir> <seed> <writers> <segmentBytes>");
            return 2;
        }

        var dir = args[0];
        var seed = int.Parse(args[1], CultureInfo.InvariantCulture);
        var writers = int.Parse(args[2], CultureInfo.InvariantCulture);
        var options = new WalOptions { SegmentBytes = long.Parse(args[3], CultureInfo.InvariantCulture), MaxWals = 2 };
        var output = Console.Out;
        var gate = new Lock();
        void Report(string line)
        {
            lock (gate)
            {
                output.WriteLine(line);
                output.Flush();
            }
        }

        using var walDevice = new FileStorageDevice(Path.Combine(dir, "wal"));
        var snapshots = new Snapshotter(Path.Combine(dir, "snap"));
        using var wal = OpenOrCreate(walDevice, snapshots, options);
        if (wal.Recovered.TornTail is { } torn)
        {
            Console.Error.WriteLine(torn.ToString());
        }

        Report(string.Create(CultureInfo.InvariantCulture, $"ready {wal.LastIndex}"));
        var workload = new WalCrashWorkload(wal, snapshots, seed, Report);

        // The process entry point: the mode delegate is synchronous, so it blocks here as an async
        // Main would. The workload runs until the test kills the process; it returns only when
        // the WAL failed.
        Task.Run(() => workload.RunAsync(writers, int.MaxValue, CancellationToken.None)).GetAwaiter().GetResult();
        Console.Error.WriteLine("the WAL failed; stopping");
        return 3;
    }
}

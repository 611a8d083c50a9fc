using System.Diagnostics;
using Google.Protobuf;

namespace Kvasir.Bench.Raft;

/// <summary>
/// A closed loop: the client keeps N proposals outstanding at the leader and proposes a new one
/// whenever the leader applies one. Counts committed proposals per second and the bytes allocated
/// per proposal by everything in the loop (Raft, the in-memory log, the proposal's ByteString).
/// </summary>
internal static class ProposeBench
{
    public readonly record struct Result(double PerSecond, double BytesPerOp, double ReadiesPerOp);

    public static Result Run(int inflight, int payload, double seconds)
    {
        var cluster = new Cluster();
        var data = new byte[payload];
        Random.Shared.NextBytes(data);

        // Warm up (JIT, pools), then measure.
        Drive(cluster, inflight, data, TimeSpan.FromSeconds(Math.Min(1, seconds / 3)));
        var startCommitted = cluster.Committed;
        var startReadies = cluster.Readies;
        var startBytes = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        Drive(cluster, inflight, data, TimeSpan.FromSeconds(seconds));
        sw.Stop();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - startBytes;
        var ops = cluster.Committed - startCommitted;
        return new Result(ops / sw.Elapsed.TotalSeconds, (double)bytes / ops, (double)(cluster.Readies - startReadies) / ops);
    }

    private static void Drive(Cluster cluster, int inflight, byte[] data, TimeSpan duration)
    {
        var sw = Stopwatch.StartNew();
        long proposed = cluster.Committed;
        var rounds = 0;
        while (sw.Elapsed < duration)
        {
            for (var k = 0; k < 64; k++)
            {
                // Top up: acknowledged proposals are replaced by new ones.
                while (proposed - cluster.Committed < inflight)
                {
                    cluster.Leader.Propose(UnsafeByteOperations.UnsafeWrap(data));
                    proposed++;
                }

                cluster.Round();
                if (++rounds % 4096 == 0)
                {
                    cluster.Compact();
                }
            }
        }

        // Let what is outstanding finish, so the next phase starts clean.
        for (var k = 0; k < 16; k++)
        {
            cluster.Round();
        }
    }
}

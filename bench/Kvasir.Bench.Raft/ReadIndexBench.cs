using System.Diagnostics;
using Google.Protobuf;
using Kvasir.Raft;

namespace Kvasir.Bench.Raft;

/// <summary>
/// ReadIndex on an idle leader: a closed loop keeping N requests outstanding. In the safe mode a
/// round of heartbeats to the followers confirms each batch; in the lease-based mode the leader
/// answers at once. Measures requests answered per second and bytes allocated per request.
/// </summary>
internal static class ReadIndexBench
{
    public readonly record struct Result(double PerSecond, double BytesPerOp);

    public static Result Run(ReadOnlyOption mode, int inflight, double seconds)
    {
        var cluster = new Cluster(mode);
        var ctx = UnsafeByteOperations.UnsafeWrap(new byte[8]);
        Drive(cluster, inflight, ctx, TimeSpan.FromSeconds(Math.Min(1, seconds / 3)));
        var start = cluster.ReadsAnswered;
        var startBytes = GC.GetAllocatedBytesForCurrentThread();
        var sw = Stopwatch.StartNew();
        Drive(cluster, inflight, ctx, TimeSpan.FromSeconds(seconds));
        sw.Stop();
        var bytes = GC.GetAllocatedBytesForCurrentThread() - startBytes;
        var ops = cluster.ReadsAnswered - start;
        return new Result(ops / sw.Elapsed.TotalSeconds, (double)bytes / ops);
    }

    private static void Drive(Cluster cluster, int inflight, ByteString ctx, TimeSpan duration)
    {
        var sw = Stopwatch.StartNew();
        long asked = cluster.ReadsAnswered;
        while (sw.Elapsed < duration)
        {
            for (var k = 0; k < 64; k++)
            {
                while (asked - cluster.ReadsAnswered < inflight)
                {
                    cluster.Leader.ReadIndex(ctx);
                    asked++;
                }

                cluster.Round();
            }
        }

        for (var k = 0; k < 16; k++)
        {
            cluster.Round();
        }
    }
}

// Committed proposals per second and allocations per proposal of an in-memory 3-node Raft
// cluster driven in one process (no I/O), and the cost of a ReadIndex. See README.md.
using Kvasir.Bench.Raft;
using Kvasir.Raft;

var seconds = 3.0;
var which = "all";
for (var i = 0; i < args.Length; i++)
{
    if (args[i] == "--seconds" && i + 1 < args.Length)
    {
        seconds = double.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
    }
    else if (args[i] is "all" or "propose" or "read")
    {
        which = args[i];
    }
    else
    {
        Console.Error.WriteLine("usage: Kvasir.Bench.Raft [all|propose|read] [--seconds N]");
        return 2;
    }
}

Console.WriteLine($"Kvasir.Raft in-memory benchmarks, .NET {Environment.Version}, {Environment.ProcessorCount} cores, {seconds:F0} s per case");
if (which is "all" or "propose")
{
    Console.WriteLine();
    Console.WriteLine("| proposals in flight | payload | committed/s | allocated bytes/proposal | Readies/proposal |");
    Console.WriteLine("|---:|---:|---:|---:|---:|");
    foreach (var inflight in new[] { 1, 256 })
    {
        var r = ProposeBench.Run(inflight, payload: 128, seconds);
        Console.WriteLine($"| {inflight} | 128 B | {r.PerSecond:N0} | {r.BytesPerOp:N0} | {r.ReadiesPerOp:F2} |");
    }
}

if (which is "all" or "read")
{
    Console.WriteLine();
    Console.WriteLine("| ReadIndex | reads in flight | reads/s | ns/read | allocated bytes/read |");
    Console.WriteLine("|---|---:|---:|---:|---:|");
    foreach (var (mode, inflight) in new[] { (ReadOnlyOption.Safe, 1), (ReadOnlyOption.Safe, 256), (ReadOnlyOption.LeaseBased, 1), (ReadOnlyOption.LeaseBased, 256) })
    {
        var r = ReadIndexBench.Run(mode, inflight, seconds);
        Console.WriteLine($"| {mode} | {inflight} | {r.PerSecond:N0} | {1e9 / r.PerSecond:N0} | {r.BytesPerOp:N0} |");
    }
}

return 0;

// WAL appends and fsyncs, MVCC puts and ranges, memory and open time with many keys.
using Kvasir.Bench.Storage;

if (args.Length > 0 && Modes.TryGet(args[0], out var run))
{
    return run(args[1..]);
}

Console.Error.WriteLine($"usage: Kvasir.Bench.Storage <benchmark> [args]; benchmarks: {string.Join(", ", Modes.Names)}");
return 2;

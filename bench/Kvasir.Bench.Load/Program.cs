// Kvasir's load generator and server-side benchmarks: the same matrix against any endpoints.
using Kvasir.Bench.Load;

if (args.Length > 0 && Modes.TryGet(args[0], out var run))
{
    return await run(args[1..]);
}

Console.Error.WriteLine($"usage: Kvasir.Bench.Load <mode> [args]; modes: {string.Join(", ", Modes.Names)}");
return 2;

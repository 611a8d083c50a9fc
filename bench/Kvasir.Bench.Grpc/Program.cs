// Unary round trips per second and allocations per call: Kvasir's gRPC server and client over
// loopback with a trivial Range handler, and the same client against the real etcd's Range, in
// the same run, side by side.
using System.Globalization;
using Kvasir.Bench.Grpc;

// Before anything rents from ArrayPool.Shared: with 256 calls in flight the default 32 arrays per
// size and core run out and every call allocates its HTTP/2 buffers anew (measured: 4x the bytes,
// a third of the throughput). The member's Program does the same.
if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION") is null)
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION", "1024");
}

var seconds = 5.0;
var warmup = 1.0;
var rounds = 3;
var connections = 1;
int[] callers = [1, 16, 256];
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seconds":
            seconds = double.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--warmup":
            warmup = double.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--rounds":
            rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--connections":
            connections = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--callers":
            callers = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
            break;
        default:
            Console.Error.WriteLine("usage: Kvasir.Bench.Grpc [--seconds S] [--warmup S] [--rounds N] [--connections N] [--callers 1,16,256]");
            return 2;
    }
}

return await UnaryBench.RunAsync(callers, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(warmup), rounds, connections);

using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Kvasir.Bench.Grpc;

/// <summary>Samples the runtime's allocation ticks (one per ~100 KB allocated) by type, to see what a call allocates.</summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _bytes = new();

    public IEnumerable<KeyValuePair<string, long>> Top(int n) => _bytes.OrderByDescending(kv => kv.Value).Take(n);

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not null && e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) && e.Payload is { } payload)
        {
            var name = e.PayloadNames!.IndexOf("TypeName") is var i and >= 0 ? payload[i] as string ?? "?" : "?";
            _bytes.AddOrUpdate(name, 100_000, (_, v) => v + 100_000);
        }
    }
}

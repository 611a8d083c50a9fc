namespace Kvasir.Bench.Load;

/// <summary>What one row did against one target: operations (or events) completed, failures, the timed wall and the latencies.</summary>
internal sealed record RowOutcome(long Completed, long Errors, string? FirstError, double WallSeconds, LatencySummary Latency, bool TimedOut);

namespace Kvasir.Bench.Load;

/// <summary>One row against one target, with the server's CPU and peak memory over the timed part.</summary>
internal sealed record RowResult(
    LoadRow Row,
    Target Target,
    RowOutcome? Outcome,
    string? Failure,
    double? ServerCpuSeconds,
    double? ServerPeakRssMb,
    double ClientCpuSeconds)
{
    public bool Ok => Outcome is { Completed: > 0, TimedOut: false } && Failure is null;

    public string Status => Failure is not null ? "FAILED"
        : Outcome is null ? "-"
        : Outcome.TimedOut ? "TIMEOUT"
        : Outcome.Completed == 0 ? "FAILED"
        : Outcome.Errors > 0 ? "errors"
        : "ok";

    /// <summary>Operations (or events) per second.</summary>
    public double Throughput => Outcome is { WallSeconds: > 0 } o ? o.Completed / o.WallSeconds : double.NaN;

    public double ServerCpuPercent => ServerCpuSeconds is { } cpu && Outcome is { WallSeconds: > 0 } o ? 100 * cpu / o.WallSeconds : double.NaN;

    /// <summary>Server CPU microseconds per completed operation (per event for watch rows).</summary>
    public double ServerMicrosPerOp => ServerCpuSeconds is { } cpu && Outcome is { Completed: > 0 } o ? 1e6 * cpu / o.Completed : double.NaN;
}

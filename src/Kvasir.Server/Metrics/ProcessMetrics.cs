using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Kvasir.Server.Metrics;

/// <summary>
/// The standard <c>process_*</c> metrics Prometheus' client libraries export (and etcd with them),
/// plus <c>os_fd_used</c>/<c>os_fd_limit</c>, which etcd's alerts read.
/// </summary>
public static class ProcessMetrics
{
    public static void Register(Meter meter)
    {
        var start = Process.GetCurrentProcess().StartTime.ToUniversalTime();
        meter.CreateObservableCounter("process_cpu_seconds_total", () => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, description: "Total user and system CPU time spent in seconds.");
        meter.CreateObservableGauge("process_resident_memory_bytes", () => Environment.WorkingSet, description: "Resident memory size in bytes.");
        meter.CreateObservableGauge("process_virtual_memory_bytes", () => Process.GetCurrentProcess().VirtualMemorySize64, description: "Virtual memory size in bytes.");
        meter.CreateObservableGauge("process_virtual_memory_max_bytes", MaxVirtualMemory, description: "Maximum amount of virtual memory available in bytes.");
        meter.CreateObservableGauge("process_start_time_seconds", () => new DateTimeOffset(start).ToUnixTimeMilliseconds() / 1000.0, description: "Start time of the process since unix epoch in seconds.");
        meter.CreateObservableGauge("process_open_fds", OpenFds, description: "Number of open file descriptors.");
        meter.CreateObservableGauge("process_max_fds", MaxFds, description: "Maximum number of open file descriptors.");
        meter.CreateObservableGauge("os_fd_used", OpenFds, description: "The number of used file descriptors.");
        meter.CreateObservableGauge("os_fd_limit", MaxFds, description: "The file descriptor limit.");
        meter.CreateObservableGauge("dotnet_gc_heap_size_bytes", () => GC.GetTotalMemory(false), description: "Bytes of the managed heap in use.");
        meter.CreateObservableCounter("dotnet_gc_collections_total", () => GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2), description: "Garbage collections since the process started.");
    }

    private static long OpenFds()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount();
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>The soft address-space limit, as Go's client reads it: unlimited is 2^64-1 (printed 1.8446744073709552e+19).</summary>
    private static double MaxVirtualMemory()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max address space", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.TryParse(parts[3], out var soft) ? soft : ulong.MaxValue;
                }
            }
        }
        catch (IOException)
        {
        }

        return ulong.MaxValue;
    }

    private static long MaxFds()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.TryParse(parts[3], out var soft) ? soft : 0;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}

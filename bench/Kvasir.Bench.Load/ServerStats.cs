using System.Globalization;

namespace Kvasir.Bench.Load;

/// <summary>
/// A server process's CPU time (utime + stime from <c>/proc/pid/stat</c>) and peak resident memory
/// (VmHWM from <c>/proc/pid/status</c>, reset per row through <c>/proc/pid/clear_refs</c>, which needs the
/// same user or root). Linux only; anything unreadable is null and shows as "-".
/// </summary>
internal static class ServerStats
{
    /// <summary>Linux's USER_HZ: the unit of the CPU times in /proc/pid/stat (100 on every mainstream kernel).</summary>
    private const double TicksPerSecond = 100;

    /// <summary>CPU seconds the process has used, user and system.</summary>
    public static double? CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");

            // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
            var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (utime + stime) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Starts a new peak-RSS measurement (writes 5 to clear_refs); false when not allowed.</summary>
    public static bool ResetPeak(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The peak resident set since the last reset (or since start), in MB.</summary>
    public static double? PeakRssMb(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                    return kb / 1024.0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return null;
    }
}

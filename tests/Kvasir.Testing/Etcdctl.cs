namespace Kvasir.Testing;

/// <summary>The real etcdctl 3.4.23 (Debian's etcd-client package), run as a child process.</summary>
public static class Etcdctl
{
    public const string Binary = "/usr/bin/etcdctl";

    public static bool IsInstalled => File.Exists(Binary);

    /// <summary>Runs <c>etcdctl --endpoints=endpoint args...</c> with the v3 API, killed after <paramref name="timeout"/> (default 20 s).</summary>
    public static Task<ProcessResult> RunAsync(string endpoint, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        var all = new List<string> { $"--endpoints={endpoint}" };
        all.AddRange(args);
        return ChildProcess.RunAsync(Binary, all, timeout ?? TimeSpan.FromSeconds(20), stdin, Environment());
    }

    public static Task<ProcessResult> RunAsync(string endpoint, params string[] args) => RunAsync(endpoint, (IEnumerable<string>)args);

    /// <summary>Starts a long-running etcdctl command (watch, lease keep-alive, lock, elect).</summary>
    public static ChildProcess Start(string endpoint, IEnumerable<string> args)
    {
        var all = new List<string> { $"--endpoints={endpoint}" };
        all.AddRange(args);
        return ChildProcess.Start(Binary, all, Environment());
    }

    private static Dictionary<string, string> Environment() => new() { ["ETCDCTL_API"] = "3" };
}

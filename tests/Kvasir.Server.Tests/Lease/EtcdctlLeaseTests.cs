using System.Text.RegularExpressions;
using Kvasir.Server.Tests.Lease.Support;
using Kvasir.Testing;

namespace Kvasir.Server.Tests.Lease;

/// <summary>
/// The real etcdctl 3.4.23 runs the same lease commands against the Lease service hosted in-process and
/// against a real etcd 3.4.23; the outputs, normalized (ids, times, endpoints), must be equal.
/// </summary>
public sealed partial class EtcdctlLeaseTests
{
    private static readonly TimeSpan ExpiryBound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task LeaseCommands_KvasirAndEtcd_SameOutputs()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var kvasir = await LeaseHost.StartAsync(TimeProvider.System);

        var fromEtcd = await RunScriptAsync(etcd.Endpoint);
        var fromKvasir = await RunScriptAsync(kvasir.Endpoint);

        Assert.Equal(fromEtcd.Count, fromKvasir.Count);
        for (var i = 0; i < fromEtcd.Count; i++)
        {
            Assert.True(fromEtcd[i] == fromKvasir[i], $"step {i} differs\netcd:\n{fromEtcd[i]}\nkvasir:\n{fromKvasir[i]}");
        }
    }

    /// <summary>Runs the script against one endpoint; each step's normalized exit code and output.</summary>
    private static async Task<List<string>> RunScriptAsync(string endpoint)
    {
        var steps = new List<string>();
        async Task<string> Run(params string[] args)
        {
            var r = await Etcdctl.RunAsync(endpoint, args);
            Assert.False(r.TimedOut, r.ToString());
            var text = $"$ etcdctl {Normalize(string.Join(' ', args))}\nexit {r.ExitCode}\n{Normalize(r.Stdout)}\n{Normalize(r.Stderr)}";
            steps.Add(text);
            return r.Stdout;
        }

        var granted = await Run("lease", "grant", "60");
        var id = LeaseIdOf(granted);
        await Run("put", "--lease=" + id, "svc/b", "2");
        await Run("put", "--lease=" + id, "svc/a", "1");
        await Run("lease", "keep-alive", "--once", id);
        await Run("lease", "timetolive", id);
        await Run("lease", "timetolive", "--keys", id);
        await Run("lease", "list");
        await Run("get", "svc/", "--prefix");
        await Run("lease", "timetolive", "00000000000004d2");
        await Run("lease", "revoke", id);
        await Run("get", "svc/", "--prefix", "-w", "json");
        await Run("lease", "revoke", id);
        await Run("lease", "keep-alive", "--once", id);
        await Run("lease", "grant", "9000000001");
        await Run("lease", "grant", "1");
        await Run("put", "--lease=4d2", "orphan", "v");
        await Run("lease", "list");

        // Expiry: a two-second lease and its key, gone within a bounded wait.
        var shortLease = LeaseIdOf(await Run("lease", "grant", "2"));
        await Run("put", "--lease=" + shortLease, "ephemeral", "v");
        await Poll.UntilAsync(
            async () => await Etcdctl.RunAsync(endpoint, "get", "ephemeral") is { ExitCode: 0, Stdout: "" },
            ExpiryBound,
            $"the key of lease {shortLease} to expire on {endpoint}",
            TimeSpan.FromMilliseconds(200));
        await Run("get", "ephemeral");
        await Run("lease", "timetolive", shortLease);
        return steps;
    }

    private static string LeaseIdOf(string grantOutput)
    {
        var match = GrantedId().Match(grantOutput);
        Assert.True(match.Success, $"no lease id in: {grantOutput}");
        return match.Groups[1].Value;
    }

    /// <summary>etcdctl's output with what differs by nature masked: ids, remaining seconds, the order etcd lists attached keys in (a Go map's).</summary>
    private static string Normalize(string output)
    {
        var text = RemainingTtl().Replace(output, "remaining(<ttl>s)");
        text = AttachedKeys().Replace(text, m => "attached keys([" + string.Join(' ', m.Groups[1].Value.Split(' ').Order(StringComparer.Ordinal)) + "])");
        text = JsonCallerLine().Replace(text, "\"caller\":\"<caller>\"");
        return EtcdctlOutput.Normalize(text);
    }

    [GeneratedRegex("lease ([0-9a-f]+) granted")]
    private static partial Regex GrantedId();

    [GeneratedRegex("remaining\\([0-9]+s\\)")]
    private static partial Regex RemainingTtl();

    [GeneratedRegex("attached keys\\(\\[([^\\]]*)\\]\\)")]
    private static partial Regex AttachedKeys();

    [GeneratedRegex("\"caller\":\"[^\"]*\"")]
    private static partial Regex JsonCallerLine();
}

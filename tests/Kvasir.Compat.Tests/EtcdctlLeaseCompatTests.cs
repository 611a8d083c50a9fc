using System.Text.RegularExpressions;
using Kvasir.Compat.Tests.Support;
using Kvasir.Testing;
using Xunit.Abstractions;

namespace Kvasir.Compat.Tests;

/// <summary>
/// The real etcdctl 3.4.23's lease commands against a real kvasir process and a real etcd 3.4.23:
/// grant, put --lease, keep-alive --once, timetolive (--keys), list, revoke, the refusals, and a
/// short lease's expiry (a bounded poll). Lease ids are the servers' own, so each server runs the
/// script with its ids; the outputs, normalized, must be equal step by step.
/// </summary>
public sealed partial class EtcdctlLeaseCompatTests(ServerPair pair, ITestOutputHelper output) : IClassFixture<ServerPair>
{
    private static readonly TimeSpan ExpiryBound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LeaseCommands_PutWithLeaseAndExpiry_SameOutputsAsEtcd()
    {
        // Both scripts at once: each server's expiry wait overlaps the other's.
        var runs = await Task.WhenAll(RunScriptAsync(pair.Kvasir.Endpoint), RunScriptAsync(pair.Etcd.Endpoint));
        var (kvasir, etcd) = (runs[0], runs[1]);
        output.WriteLine(string.Join('\n', kvasir));
        Assert.Equal(etcd.Count, kvasir.Count);
        for (var i = 0; i < etcd.Count; i++)
        {
            Assert.True(etcd[i] == kvasir[i], $"step {i} differs\n=== etcd:\n{etcd[i]}\n=== kvasir:\n{kvasir[i]}");
        }
    }

    /// <summary>Runs the script against one endpoint; each step's exit code and normalized output.</summary>
    private static async Task<List<string>> RunScriptAsync(string endpoint)
    {
        var steps = new List<string>();
        async Task<string> Run(params string[] args)
        {
            var r = await Etcdctl.RunAsync(endpoint, args);
            Assert.False(r.TimedOut, r.ToString());
            steps.Add($"$ etcdctl {Normalize(string.Join(' ', args))}\nexit {r.ExitCode}\n{Normalize(r.Stdout)}\n--- stderr\n{Normalize(r.Stderr)}");
            return r.Stdout;
        }

        var id = LeaseIdOf(await Run("lease", "grant", "300"));
        await Run("put", "--lease=" + id, "ls/b", "2");
        await Run("put", "--lease=" + id, "ls/a", "1");
        await Run("put", "ls/plain", "no lease");
        await Run("lease", "keep-alive", "--once", id);
        await Run("lease", "keep-alive", "-w", "json", "--once", id);
        await Run("lease", "timetolive", id);
        await Run("lease", "timetolive", "--keys", id);
        await Run("lease", "timetolive", "--keys", "-w", "json", id);
        await Run("lease", "list");
        await Run("get", "ls/", "--prefix", "-w", "json");
        await Run("put", "--lease=" + id, "ls/a", "moved back to no lease", "--ignore-lease");
        await Run("put", "ls/a", "detached");
        await Run("lease", "timetolive", "--keys", id);

        // Chosen ids, the refusals and the unknown.
        await Run("lease", "grant", "9000000001");
        await Run("lease", "grant", "1");
        await Run("lease", "timetolive", "00000000000004d2");
        await Run("lease", "keep-alive", "--once", "4d2");
        await Run("lease", "revoke", "4d2");
        await Run("put", "--lease=4d2", "ls/orphan", "v");
        await Run("put", "--lease=zz", "ls/orphan", "v");

        await Run("lease", "revoke", id);
        await Run("get", "ls/", "--prefix");
        await Run("lease", "revoke", id);
        await Run("lease", "keep-alive", "--once", id);
        await Run("lease", "timetolive", id);
        await Run("lease", "list");

        // Expiry: a two-second lease and its keys are gone within a bounded wait, in one revision.
        var shortLease = LeaseIdOf(await Run("lease", "grant", "2"));
        await Run("put", "--lease=" + shortLease, "ls/ephemeral/1", "v");
        await Run("put", "--lease=" + shortLease, "ls/ephemeral/2", "v");
        await Poll.UntilAsync(
            async () => await Etcdctl.RunAsync(endpoint, "get", "ls/ephemeral/", "--prefix", "--keys-only") is { ExitCode: 0, Stdout: "" },
            ExpiryBound,
            $"the keys of lease {shortLease} to expire on {endpoint}",
            TimeSpan.FromMilliseconds(200));
        await Run("get", "ls/ephemeral/", "--prefix");
        await Run("lease", "timetolive", shortLease);
        await Run("get", "ls/", "--prefix", "-w", "json");
        await Run("lease", "list");
        return steps;
    }

    private static string LeaseIdOf(string grantOutput)
    {
        var match = GrantedId().Match(grantOutput);
        Assert.True(match.Success, $"no lease id in: {grantOutput}");
        return match.Groups[1].Value;
    }

    /// <summary>etcdctl's output with what differs by nature masked: lease ids (hex and decimal), remaining seconds, the order etcd lists attached keys in (a Go map's).</summary>
    private static string Normalize(string output)
    {
        var text = RemainingTtl().Replace(output, "remaining(<ttl>s)");
        text = JsonTtl().Replace(text, "\"ttl\":<ttl>");
        text = JsonLeaseId().Replace(text, m => m.Groups[2].Value == "0" ? m.Value : $"\"{m.Groups[1].Value}\":<lease>");
        text = AttachedKeys().Replace(text, m => "attached keys([" + string.Join(' ', m.Groups[1].Value.Split(' ').Order(StringComparer.Ordinal)) + "])");
        text = JsonKeys().Replace(text, m => "\"keys\":[" + string.Join(',', m.Groups[1].Value.Split(',').Order(StringComparer.Ordinal)) + "]");
        text = LeaseArg().Replace(text, "--lease=<lease>");
        text = LeaseWord().Replace(text, "$1 <lease>");
        return EtcdctlOutput.Normalize(text);
    }

    [GeneratedRegex("lease ([0-9a-f]+) granted")]
    private static partial Regex GrantedId();

    [GeneratedRegex("remaining\\([0-9]+s\\)")]
    private static partial Regex RemainingTtl();

    [GeneratedRegex("\"ttl\":[0-9]+")]
    private static partial Regex JsonTtl();

    [GeneratedRegex("\"(id|ID|lease)\":(-?[0-9]+)")]
    private static partial Regex JsonLeaseId();

    [GeneratedRegex("attached keys\\(\\[([^\\]]*)\\]\\)")]
    private static partial Regex AttachedKeys();

    [GeneratedRegex("\"keys\":\\[([^\\]]*)\\]")]
    private static partial Regex JsonKeys();

    [GeneratedRegex("--lease=[0-9a-f]{5,}")]
    private static partial Regex LeaseArg();

    [GeneratedRegex("(lease|keep-alive --once|timetolive|revoke|--keys|-w json --once|-w json) [0-9a-f]{5,}\\b")]
    private static partial Regex LeaseWord();
}

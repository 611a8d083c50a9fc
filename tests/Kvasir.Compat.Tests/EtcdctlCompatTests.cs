using System.Security.Cryptography;
using Kvasir.Compat.Tests.Support;
using Kvasir.Testing;

namespace Kvasir.Compat.Tests;

/// <summary>
/// The real etcdctl 3.4.23 against kvasir and against a real etcd 3.4.23, command by command: exit
/// codes and output must be equal once EtcdctlOutput.Normalize has masked what differs between any
/// two members (ids, terms, sizes, timings). Every test sends both servers the same writes, so
/// revisions stay aligned whatever order the tests run in.
/// </summary>
public sealed class EtcdctlCompatTests(ServerPair pair) : IClassFixture<ServerPair>
{
    [Fact]
    public async Task PutGet_EveryFlagAndFormat_SameOutputAsEtcd()
    {
        foreach (var (k, v) in new[] { ("pg/a", "1"), ("pg/b", "22"), ("pg/c", "3"), ("pg/a", "4"), ("pg/d", "0"), ("pg0", "x") })
        {
            await pair.AssertSameAsync("put", k, v);
        }

        await pair.AssertSameAsync("put", "pg/b", "5", "--prev-kv");
        await pair.AssertSameAsync("put", "pg/e", "6", "-w", "json");
        string[][] gets =
        [
            ["get", "pg/a"],
            ["get", "pg/", "--prefix"],
            ["get", "pg/c", "--from-key"],
            ["get", "pg/", "--prefix", "--keys-only"],
            ["get", "pg/", "--prefix", "--print-value-only"],
            ["get", "pg/a", "--rev", "2"],
            ["get", "pg/", "--prefix", "--limit", "2"],
            ["get", "pg/", "--prefix", "--sort-by", "VALUE"],
            ["get", "pg/", "--prefix", "--sort-by", "CREATE", "--order", "DESCEND"],
            ["get", "pg/", "--prefix", "--sort-by", "MODIFY", "--order", "ASCEND"],
            ["get", "pg/", "--prefix", "--sort-by", "VERSION", "--order", "DESCEND"],
            ["get", "pg/", "--prefix", "--sort-by", "KEY", "--order", "DESCEND", "--limit", "3"],
            ["get", "pg/a", "pg/d"],
            ["get", "pg/", "--prefix", "-w", "json"],
            ["get", "pg/", "--prefix", "-w", "fields"],
            ["get", "pg/", "--prefix", "-w", "table"],
            ["get", "pg/", "--prefix", "--consistency", "s"],
            ["get", "nothing-here"],
            ["get", "pg/a", "--rev", "100000"],
            ["get", ""],
            ["get", "", "--prefix", "--keys-only", "--limit", "3"],
            ["get", "pg/b", "--from-key", "--keys-only", "--limit", "2", "--order", "DESCEND"],
            ["get", "pg/", "--prefix", "--rev", "1"],
        ];
        foreach (var args in gets)
        {
            await pair.AssertSameAsync(args);
        }
    }

    [Fact]
    public async Task CountOnlyIgnoreValueAndBadArguments_SameOutputAsEtcd()
    {
        await pair.AssertSameAsync("put", "co/a", "1");
        await pair.AssertSameAsync("put", "co/b", "2");
        string[][] commands =
        [
            ["get", "co/", "--prefix", "--count-only"],
            ["get", "co/", "--prefix", "--count-only", "-w", "json"],
            ["get", "co/", "--prefix", "--count-only", "--limit", "1", "-w", "fields"],
            ["put", "co/a", "--ignore-value"],
            ["put", "co/missing", "--ignore-value"],
            ["put", "co/a", "x", "--ignore-lease"],
            ["put", "co/a", "x", "--lease", "zz"],
            ["put", "co/a", "x", "--lease", "1234abcd"],
            ["get", "co/a", "-w", "json"],
            ["put"],
            ["put", "only-key"],
            ["get"],
            ["del"],
            ["get", "co/", "--prefix", "--sort-by", "BOGUS"],
            ["get", "co/", "--prefix", "--order", "SIDEWAYS"],
            ["get", "co/a", "--rev", "abc"],
            ["get", "co/a", "--consistency", "x"],
            ["get", "co/a", "-w", "yaml"],
            ["get", "co/a", "--no-such-flag"],
            ["compaction", "abc"],
            ["compaction"],
            ["lease", "grant", "abc"],
            ["lease", "revoke", "nothex"],
            ["no-such-command"],
        ];
        foreach (var args in commands)
        {
            await pair.AssertSameAsync(args);
        }
    }

    [Fact]
    public async Task Del_PrefixAndPrevKv_SameOutputAsEtcd()
    {
        foreach (var k in new[] { "del/a", "del/b", "del/c", "del/d" })
        {
            await pair.AssertSameAsync("put", k, k + "-value");
        }

        await pair.AssertSameAsync("del", "del/a");
        await pair.AssertSameAsync("del", "del/a");
        await pair.AssertSameAsync("del", "del/b", "--prev-kv");
        await pair.AssertSameAsync("del", "del/", "--prefix", "--prev-kv", "-w", "json");
        await pair.AssertSameAsync("get", "del/", "--prefix", "-w", "json");
    }

    [Fact]
    public async Task Txn_FromStdin_SameOutputAsEtcd()
    {
        await pair.AssertSameAsync("put", "txn/k", "v1");
        const string succeed = "val(\"txn/k\") = \"v1\"\nmod(\"txn/k\") > \"0\"\n\nput txn/k v2\nget txn/k\n\nput txn/other x\n\n";
        const string fail = "ver(\"txn/k\") = \"7\"\n\nput txn/k never\n\nget txn/k --print-value-only\ndel txn/missing\n\n";
        await pair.AssertSameAsync(["txn"], succeed);
        await pair.AssertSameAsync(["txn", "-w", "json"], fail);
        await pair.AssertSameAsync(["txn", "-w", "fields"], "c(\"txn/k\") < \"1\"\n\nput txn/x 1\n\nput txn/y 2\n\n");
        await pair.AssertSameAsync(["txn", "-i"], "val(\"txn/x\") = \"1\"\n\nput txn/x 2\ndel txn/y\n\nget txn/x\n\n");
        await pair.AssertSameAsync(["txn"], "bogus compare\n\n");
        await pair.AssertSameAsync(["txn"], "\nnope txn/x\n\n");
        await pair.AssertSameAsync("get", "txn/", "--prefix");
    }

    [Fact]
    public async Task Compaction_GetAtCompactedRevision_SameErrorsAsEtcd()
    {
        await pair.AssertSameAsync("put", "cmp/a", "1");
        await pair.AssertSameAsync("put", "cmp/a", "2");
        var status = await Etcdctl.RunAsync(pair.Kvasir.Endpoint, "get", "cmp/a", "-w", "json");
        var rev = System.Text.Json.JsonDocument.Parse(status.Stdout).RootElement.GetProperty("header").GetProperty("revision").GetInt64();
        await pair.AssertSameAsync("compaction", (rev - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await pair.AssertSameAsync("get", "cmp/a", "--rev", (rev - 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await pair.AssertSameAsync("get", "cmp/a", "--rev", (rev - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await pair.AssertSameAsync("compaction", (rev - 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await pair.AssertSameAsync("compaction", "--physical", rev.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await pair.AssertSameAsync("compaction", "100000");
        await pair.AssertSameAsync("get", "cmp/a");
    }

    [Fact]
    public async Task DefragStatusHealthMembersAlarms_SameOutputAsEtcd()
    {
        // The same history gives etcd's hash: the backend rows are etcd's bytes.
        await pair.AssertSameAsync("endpoint", "hashkv");
        await pair.AssertSameAsync("defrag");
        await pair.AssertSameAsync("endpoint", "status", "-w", "table");
        await pair.AssertSameAsync("endpoint", "status", "-w", "json");
        await pair.AssertSameAsync("endpoint", "health", "-w", "table");
        await pair.AssertSameAsync("endpoint", "health");
        await pair.AssertSameAsync("member", "list", "-w", "table");
        await pair.AssertSameAsync(["member", "list", "-w", "json"], null, static s => s.Replace("\"name\":\"kvasir-test\"", "\"name\":\"etcd-test\"", StringComparison.Ordinal));
        await pair.AssertSameAsync("endpoint", "health", "--cluster");
        await pair.AssertSameAsync("alarm", "list", "-w", "json");
        await pair.AssertSameAsync("alarm", "list");
        await pair.AssertSameAsync("alarm", "disarm");
        await pair.AssertSameAsync("move-leader", "1234");
        await pair.AssertSameAsync("member", "remove", "1234");
        await pair.AssertSameAsync("member", "update", "1234", "--peer-urls=http://127.0.0.1:1");
        await pair.AssertSameAsync("member", "promote", "1234");
        await pair.AssertSameAsync("member", "add", "new", "--peer-urls=not-a-url");
    }

    // etcdctl dials one endpoint as "passthrough:///<endpoint>", so an endpoint written with its
    // scheme (every advertised client URL, and --endpoints=http://...) becomes the HTTP/2 :authority
    // "http://127.0.0.1:2379". etcd's server accepts it; Kestrel alone would reset the stream.
    [Fact]
    public async Task EndpointWithScheme_DirectDialCommands_SameOutputAsEtcd()
    {
        await pair.AssertSameAsync("endpoint", "status", "--cluster", "-w", "table");
        await pair.AssertSameAsync("endpoint", "hashkv", "--cluster", "-w", "json");
        await pair.AssertSameAsync(["defrag", "--cluster"], null);
        foreach (var (_, _, url) in pair.Both)
        {
            var direct = await Etcdctl.RunAsync(url, ["endpoint", "status", "-w", "fields"]);
            Assert.True(direct.ExitCode == 0, direct.ToString());
        }
    }

    [Fact]
    public async Task SnapshotSave_SameOutputAsEtcd_AndTheImageCarriesItsSha256()
    {
        await pair.AssertSameAsync("put", "snap/a", "1");
        using var kDir = new TempDir("snap-k");
        using var eDir = new TempDir("snap-e");
        var k = await Etcdctl.RunAsync(pair.Kvasir.Endpoint, ["snapshot", "save", kDir.Sub("s.db")]);
        var e = await Etcdctl.RunAsync(pair.Etcd.Endpoint, ["snapshot", "save", eDir.Sub("s.db")]);
        Assert.Equal(e.ExitCode, k.ExitCode);
        Assert.Equal(0, k.ExitCode);
        Assert.Equal(EtcdctlOutput.Normalize(e.Stdout.Replace(eDir.Path, "<dir>", StringComparison.Ordinal)), EtcdctlOutput.Normalize(k.Stdout.Replace(kDir.Path, "<dir>", StringComparison.Ordinal)));

        var image = await File.ReadAllBytesAsync(kDir.Sub("s.db"));
        Assert.Equal(32, image.Length % 512);
        Assert.Equal(SHA256.HashData(image.AsSpan(0, image.Length - 32)), image[^32..]);
        Assert.Equal("SQLite format 3\0"u8.ToArray(), image[..16]);
    }
}

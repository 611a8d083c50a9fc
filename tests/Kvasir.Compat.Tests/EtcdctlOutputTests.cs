using Kvasir.Testing;

namespace Kvasir.Compat.Tests;

/// <summary>
/// The output normalizer the compatibility tests rely on, proven on two real etcds: the same
/// commands against both must give equal normalized output, or a comparison with Kvasir would
/// fail for reasons that are not Kvasir's.
/// </summary>
public sealed class EtcdctlOutputTests
{
    [Fact]
    public async Task Normalize_TwoRealEtcds_SameCommandsGiveEqualOutput()
    {
        await using var a = await EtcdServer.StartAsync();
        await using var b = await EtcdServer.StartAsync();
        string[][] script =
        [
            ["put", "foo", "bar"],
            ["put", "foo2", "baz", "-w", "json"],
            ["get", "foo", "--prefix", "-w", "json"],
            ["get", "foo", "--prefix", "-w", "fields"],
            ["endpoint", "status", "-w", "table"],
            ["endpoint", "status", "-w", "json"],
            ["member", "list", "-w", "table"],
            ["endpoint", "health"],
            ["lease", "grant", "100"],
            ["compaction", "2"],
            ["get", "foo", "--rev=1"],
        ];

        foreach (var command in script)
        {
            var ra = await Etcdctl.RunAsync(a.Endpoint, command);
            var rb = await Etcdctl.RunAsync(b.Endpoint, command);
            Assert.False(ra.TimedOut, ra.ToString());
            Assert.Equal(ra.ExitCode, rb.ExitCode);
            Assert.Equal(EtcdctlOutput.Normalize(ra.Stdout), EtcdctlOutput.Normalize(rb.Stdout));
            Assert.Equal(EtcdctlOutput.Normalize(ra.Stderr), EtcdctlOutput.Normalize(rb.Stderr));
        }
    }

    [Fact]
    public void Normalize_Table_MasksVaryingColumnsAndKeepsTheRest()
    {
        const string table = """
            +-----------------+------------------+---------+---------+-----------+
            |    ENDPOINT     |        ID        | VERSION | DB SIZE | IS LEADER |
            +-----------------+------------------+---------+---------+-----------+
            | 127.0.0.1:23790 | 2e1259d415f2a040 |  3.4.23 |   25 kB |      true |
            +-----------------+------------------+---------+---------+-----------+
            """;
        Assert.Equal("| ENDPOINT | ID | VERSION | DB SIZE | IS LEADER |\n| <endpoint> | <id> | <version> | <db size> | true |\n", EtcdctlOutput.Normalize(table));
    }
}

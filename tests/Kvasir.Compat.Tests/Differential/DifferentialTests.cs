using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Kvasir.Compat.Tests.Differential;

/// <summary>
/// Seeded random sequences of KV, Txn, Compact, Lease and Watch operations sent to kvasir and to a
/// real etcd 3.4.23 through the Kvasir.Grpc client; every answer — revisions, kvs, counts, more,
/// errors, lease TTLs and keys, watch created replies, events, cancels and progress — must be
/// equal. A failure prints the seed and the command that replays it. KVASIR_DIFF_SOAK=n runs n
/// seeds instead of three (a soak).
/// </summary>
public sealed partial class DifferentialTests(DiffServerPair pair) : IClassFixture<DiffServerPair>
{
    private const int OpsPerSeed = 250;

    private static readonly IDiffOpGenerator[] Generators = [new KvOps(), new TxnOps(), new LeaseOps(), new WatchOps()];

    [Fact]
    public async Task KvTxnCompactLeaseWatch_SeededSequences_AnswersEqualEtcd()
    {
        var replay = Environment.GetEnvironmentVariable("KVASIR_DIFF_SEED");
        var soak = int.TryParse(Environment.GetEnvironmentVariable("KVASIR_DIFF_SOAK"), out var n) ? n : 3;
        int[] seeds = replay is not null ? [int.Parse(replay, CultureInfo.InvariantCulture)] : [.. Enumerable.Range(1, soak)];
        using var kvasir = new DiffTarget("kvasir", pair.Kvasir.Endpoint);
        using var etcd = new DiffTarget("etcd", pair.Etcd.Endpoint);
        var model = new DiffModel();
        var answers = new List<string>();
        foreach (var seed in seeds)
        {
            // Seeds run one after another on the same pair: the servers stay aligned, revisions keep growing.
            // Seeds 1..n on a fresh pair replay a run exactly; a single seed replays alone.
            var rerun = replay is not null ? $"KVASIR_DIFF_SEED={seed}" : $"KVASIR_DIFF_SOAK={seed}";
            answers.AddRange(await RunSeedAsync(seed, rerun, kvasir, etcd, model));
        }

        // The sequences must have exercised data and refusals alike, or equal answers prove little.
        Assert.Contains(answers, a => a.Contains("\"kvs\"", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("\"prev_kv", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("\"succeeded\": true", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("required revision has been compacted", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("future revision", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("duplicate key", StringComparison.Ordinal) || a.Contains("key is not provided", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("lease already exists", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("\"lease\": \"s", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("ttl full granted", StringComparison.Ordinal) && !a.Contains("keys []", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("\n    Put ", StringComparison.Ordinal) && a.Contains(" prev ", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("\n    Delete ", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("canceled compact=", StringComparison.Ordinal) && !a.Contains("canceled compact=0", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("progress at the store's revision", StringComparison.Ordinal));
        Assert.True(model.Revision > 100, $"only {model.Revision} revisions were reached");
    }

    private static async Task<List<string>> RunSeedAsync(int seed, string rerun, DiffTarget kvasir, DiffTarget etcd, DiffModel model)
    {
        var answers = new List<string>(OpsPerSeed);
        var random = new Random(seed);
        var total = Generators.Sum(g => g.Weight);
        var trail = new StringBuilder();
        for (var i = 0; i < OpsPerSeed; i++)
        {
            var op = Pick(random, total, model);
            string expected, actual;
            try
            {
                expected = await op.RunAsync(etcd);
                actual = await op.RunAsync(kvasir);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException(Report(seed, rerun, i, op, $"failed: {e.Message}", trail), e);
            }

            trail.Append(i).Append(": ").Append(op.Describe()).Append(" -> ").Append(expected).Append('\n');
            if (expected != actual)
            {
                Assert.Fail(Report(seed, rerun, i, op, $"etcd:   {expected}\nkvasir: {actual}", trail));
            }

            answers.Add(expected);
            foreach (Match m in RevisionField().Matches(expected))
            {
                model.Revision = Math.Max(model.Revision, long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        }

        return answers;
    }

    private static DiffOp Pick(Random random, int total, DiffModel model)
    {
        while (true)
        {
            var at = random.Next(total);
            foreach (var g in Generators)
            {
                if (at < g.Weight)
                {
                    if (g.Next(random, model) is { } op)
                    {
                        return op;
                    }

                    break;
                }

                at -= g.Weight;
            }
        }
    }

    private static string Report(int seed, string rerun, int i, DiffOp op, string what, StringBuilder trail) =>
        $"seed {seed}, operation {i}: {op.Describe()}\n{what}\n" +
        $"replay: {rerun} dotnet test tests/Kvasir.Compat.Tests -c Release --filter \"FullyQualifiedName~DifferentialTests\"\n" +
        $"last operations:\n{Tail(trail)}";

    private static string Tail(StringBuilder trail)
    {
        var lines = trail.ToString().Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 12)));
    }

    [GeneratedRegex("\"revision\": \"([0-9]+)\"")]
    private static partial Regex RevisionField();
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Kvasir.Compat.Tests.Support;

namespace Kvasir.Compat.Tests.Differential;

/// <summary>
/// Seeded random sequences of KV, Txn and Compact operations sent to kvasir and to a real etcd
/// 3.4.23 through the Kvasir.Grpc client; every answer — revisions, kvs, counts, more, errors —
/// must be equal. A failure prints the seed and the command that replays it. Lease and watch
/// operations join by adding their generators to <see cref="Generators"/>.
/// </summary>
public sealed partial class DifferentialTests(ServerPair pair) : IClassFixture<ServerPair>
{
    private const int OpsPerSeed = 250;

    private static readonly IDiffOpGenerator[] Generators = [new KvOps(), new TxnOps()];

    [Fact]
    public async Task KvTxnCompact_SeededSequences_AnswersEqualEtcd()
    {
        var replay = Environment.GetEnvironmentVariable("KVASIR_DIFF_SEED");
        int[] seeds = replay is not null ? [int.Parse(replay, CultureInfo.InvariantCulture)] : [1, 2, 3];
        using var kvasir = new DiffTarget("kvasir", pair.Kvasir.Endpoint);
        using var etcd = new DiffTarget("etcd", pair.Etcd.Endpoint);
        var model = new DiffModel();
        var answers = new List<string>();
        foreach (var seed in seeds)
        {
            // Seeds run one after another on the same pair: the servers stay aligned, revisions keep growing.
            answers.AddRange(await RunSeedAsync(seed, kvasir, etcd, model));
        }

        // The sequences must have exercised data and refusals alike, or equal answers prove little.
        Assert.Contains(answers, a => a.Contains("\"kvs\"", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("\"prev_kv", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("\"succeeded\": true", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("required revision has been compacted", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("future revision", StringComparison.Ordinal));
        Assert.Contains(answers, a => a.Contains("duplicate key", StringComparison.Ordinal) || a.Contains("key is not provided", StringComparison.Ordinal));
        Assert.True(model.Revision > 100, $"only {model.Revision} revisions were reached");
    }

    private static async Task<List<string>> RunSeedAsync(int seed, DiffTarget kvasir, DiffTarget etcd, DiffModel model)
    {
        var answers = new List<string>(OpsPerSeed);
        var random = new Random(seed);
        var total = Generators.Sum(g => g.Weight);
        var trail = new StringBuilder();
        for (var i = 0; i < OpsPerSeed; i++)
        {
            var op = Pick(random, total, model);
            var expected = await op.RunAsync(etcd);
            var actual = await op.RunAsync(kvasir);
            trail.Append(i).Append(": ").Append(op.Describe()).Append(" -> ").Append(expected).Append('\n');
            if (expected != actual)
            {
                Assert.Fail($"seed {seed}, operation {i}: {op.Describe()}\netcd:   {expected}\nkvasir: {actual}\n" +
                    $"replay: KVASIR_DIFF_SEED={seed} dotnet test tests/Kvasir.Compat.Tests -c Release --filter \"FullyQualifiedName~DifferentialTests\"\n" +
                    $"(the pair ran seeds before this one; the replay starts fresh, so earlier history differs)\nlast operations:\n{Tail(trail)}");
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

    private static string Tail(StringBuilder trail)
    {
        var lines = trail.ToString().Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 12)));
    }

    [GeneratedRegex("\"revision\": \"([0-9]+)\"")]
    private static partial Regex RevisionField();
}

using System.Text.RegularExpressions;
using Google.Protobuf;
using Kvasir.Api.Etcdserverpb;
using Kvasir.Storage.CrashChild;
using Kvasir.Storage.Mvcc;
using Kvasir.Testing;
using Xunit.Abstractions;

namespace Kvasir.Storage.Tests.Mvcc;

/// <summary>
/// Crash safety: a child process applies a seeded workload to a store and reports each forced commit;
/// it is killed with SIGKILL at random moments, restarted (it resumes after the consistent index) and
/// killed again. After each kill the reopened store must equal the workload applied up to its consistent
/// index (a prefix, never half an entry) and that index must cover every commit the child reported.
/// Replay: KVASIR_MVCC_CRASH_SEED=n dotnet test tests/Kvasir.Storage.Tests -c Release --filter MvccCrashTests
/// </summary>
public sealed partial class MvccCrashTests(ITestOutputHelper output)
{
    private const int Entries = 12_000;
    private const int CommitEvery = 100;

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        if (int.TryParse(Environment.GetEnvironmentVariable("KVASIR_MVCC_CRASH_SEED"), out var one))
        {
            data.Add(one);
        }
        else
        {
            data.Add(11);
            data.Add(12);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Sigkill_AtRandomMoments_ReopensToAPrefixCoveringEveryReportedCommit(int seed)
    {
        try
        {
            await RunAsync(seed);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException(
                $"seed {seed} failed; replay: KVASIR_MVCC_CRASH_SEED={seed} dotnet test tests/Kvasir.Storage.Tests -c Release --filter MvccCrashTests\n{e}");
        }
    }

    private async Task RunAsync(int seed)
    {
        using var dir = new TempDir("mvcc-crash");
        var rng = new Random(seed);
        var dll = Path.Combine(AppContext.BaseDirectory, "Kvasir.Storage.CrashChild.dll");
        long lastReported = 0;
        for (var round = 0; round < 5; round++)
        {
            var finalRound = round == 4;
            using (var child = ChildProcess.Start("dotnet", [dll, "mvcc", dir.Path, seed.ToString(), Entries.ToString(), CommitEvery.ToString(), "2"]))
            {
                if (finalRound)
                {
                    await child.WaitForOutputAsync("done", TimeSpan.FromSeconds(120));
                }
                else
                {
                    // Kill once the child has reported a random amount of further progress.
                    var target = Math.Min(Entries - CommitEvery, lastReported + (1 + rng.Next(Entries / CommitEvery / 6)) * CommitEvery);
                    await Poll.UntilAsync(
                        () => child.HasExited || LastCommitted(child.Stdout) >= target,
                        TimeSpan.FromSeconds(120),
                        $"the child to report commit {target}",
                        TimeSpan.FromMilliseconds(2));
                    child.Kill();
                }

                Assert.True(await child.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the child did not exit");
                Assert.True(finalRound || child.ExitCode != 0 || child.Stdout.Contains("done", StringComparison.Ordinal), $"child failed: {child.Stderr}");
                lastReported = Math.Max(lastReported, LastCommitted(child.Stdout));
            }

            var ci = Verify(dir.Path, seed, lastReported, finalRound);
            output.WriteLine($"round {round}: child reported commit {lastReported}, store reopened at consistent index {ci}");
        }
    }

    /// <summary>Reopens the store and compares it with the workload applied up to the store's consistent index.</summary>
    private static long Verify(string dir, int seed, long reported, bool complete)
    {
        using var store = MvccStore.Open(MvccCrashMode.Options(dir));
        var ci = store.ConsistentIndex;
        Assert.True(ci >= reported, $"consistent index {ci} lost commits the child reported (up to {reported})");
        if (complete)
        {
            Assert.Equal(Entries, ci);
        }

        var model = new ModelStore();
        var workload = new MvccCrashMode.Workload(seed);
        for (long i = 1; i <= ci; i++)
        {
            switch (MvccCrashMode.Workload.Resolve(workload.Next(), model.CurrentRev, model.CompactRev))
            {
                case PutRequest p:
                    model.Put(p, out _);
                    break;
                case DeleteRangeRequest d:
                    model.Delete(d);
                    break;
                case TxnRequest t:
                    model.Txn(t, out _);
                    break;
                case CompactionRequest c:
                    model.Compact(c.Revision, out _);
                    break;
            }
        }

        Assert.Equal(model.CurrentRev, store.CurrentRevision);
        Assert.Equal(model.CompactRev, store.CompactRevision);
        var all = new RangeRequest { Key = ByteString.CopyFrom(0), RangeEnd = KeyRange.FromKeyEnd };
        for (var rev = Math.Max(1, model.CompactRev); rev <= model.CurrentRev; rev++)
        {
            all.Revision = rev;
            var expected = model.Range(all, out _);
            var actual = store.Range(all);
            Assert.True(Equals(expected, actual.Response), $"at consistent index {ci}, revision {rev}:\nexpected {expected}\nactual   {actual.Response}{actual.Error}");
        }

        return ci;
    }

    private static long LastCommitted(string stdout)
    {
        long last = 0;
        foreach (Match m in CommittedLine().Matches(stdout))
        {
            last = Math.Max(last, long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        }

        return last;
    }

    [GeneratedRegex(@"^committed (\d+)$", RegexOptions.Multiline)]
    private static partial Regex CommittedLine();
}

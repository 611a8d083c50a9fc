using System.Globalization;

namespace Kvasir.Storage.Tests.Wal;

/// <summary>
/// Seeds for the randomised WAL tests: fixed by default so runs are repeatable; set
/// <c>KVASIR_TEST_SEED</c> to replay one, or <c>KVASIR_TEST_SEED_COUNT</c> to soak with more.
/// A failure names its seed and the command that replays it.
/// </summary>
internal static class WalSeed
{
    public const string Variable = "KVASIR_TEST_SEED";
    public const string CountVariable = "KVASIR_TEST_SEED_COUNT";

    /// <summary>The seeds to run: the one in <see cref="Variable"/>, or <paramref name="count"/> from <paramref name="first"/>.</summary>
    public static IEnumerable<int> Seeds(int first, int count)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            yield return int.Parse(fromEnvironment, CultureInfo.InvariantCulture);
            yield break;
        }

        var countFromEnvironment = Environment.GetEnvironmentVariable(CountVariable);
        if (!string.IsNullOrEmpty(countFromEnvironment))
        {
            count = int.Parse(countFromEnvironment, CultureInfo.InvariantCulture);
        }

        for (var i = 0; i < count; i++)
        {
            yield return first + i;
        }
    }

    /// <summary>Runs <paramref name="body"/> for one seed; a failure is rethrown naming the seed and the replay command.</summary>
    public static async Task RunAsync(int seed, string test, Func<int, Task> body)
    {
        try
        {
            await body(seed);
        }
        catch (Exception e)
        {
            throw Failure(seed, test, e);
        }
    }

    /// <summary>Runs <paramref name="body"/> for one seed; a failure is rethrown naming the seed and the replay command.</summary>
    public static void Run(int seed, string test, Action<int> body)
    {
        try
        {
            body(seed);
        }
        catch (Exception e)
        {
            throw Failure(seed, test, e);
        }
    }

    private static Exception Failure(int seed, string test, Exception e) =>
        new InvalidOperationException(
            $"failed with seed {seed}; replay: {Variable}={seed} dotnet test tests/Kvasir.Storage.Tests -c Release --filter \"FullyQualifiedName~{test}\"\n{e.Message}",
            e);
}

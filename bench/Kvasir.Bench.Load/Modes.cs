namespace Kvasir.Bench.Load;

/// <summary>
/// The benchmarks by name (first argument). Each area registers its own from a module
/// initializer in its own file, so that adding a mode touches no shared file.
/// </summary>
public static class Modes
{
    private static readonly Dictionary<string, Func<string[], Task<int>>> Registered = new(StringComparer.Ordinal);

    public static void Register(string name, Func<string[], int> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        Registered[name] = args => Task.FromResult(run(args));
    }

    /// <summary>Registers a mode that runs asynchronously (network load); Program awaits it.</summary>
    public static void RegisterAsync(string name, Func<string[], Task<int>> run) => Registered[name] = run ?? throw new ArgumentNullException(nameof(run));

    public static bool TryGet(string name, out Func<string[], Task<int>> run) => Registered.TryGetValue(name, out run!);

    public static IEnumerable<string> Names => Registered.Keys.Order(StringComparer.Ordinal);
}

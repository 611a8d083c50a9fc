namespace Kvasir.Bench.Load;

/// <summary>
/// The benchmarks by name (first argument). Each area registers its own from a module
/// initializer in its own file, so that adding a mode touches no shared file.
/// </summary>
public static class Modes
{
    private static readonly Dictionary<string, Func<string[], int>> Registered = new(StringComparer.Ordinal);

    public static void Register(string name, Func<string[], int> run) => Registered[name] = run;

    public static bool TryGet(string name, out Func<string[], int> run) => Registered.TryGetValue(name, out run!);

    public static IEnumerable<string> Names => Registered.Keys.Order(StringComparer.Ordinal);
}

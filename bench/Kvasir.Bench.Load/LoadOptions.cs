using System.Globalization;

namespace Kvasir.Bench.Load;

/// <summary>The command line of the load modes. Anything unknown or malformed is an <see cref="ArgumentException"/> naming it.</summary>
internal sealed class LoadOptions
{
    public List<Target> Targets { get; } = [];

    public List<string> Start { get; } = [];

    public HashSet<string> Groups { get; } = new(Matrix.DefaultGroups, StringComparer.Ordinal);

    public double Scale { get; private set; } = 1;

    public TimeSpan RowTimeout { get; private set; } = TimeSpan.FromSeconds(120);

    public string? TsvPath { get; private set; }

    public bool Help { get; private set; }

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--help" or "-h":
                    options.Help = true;
                    break;
                case "--target":
                    options.Targets.Add(Target.Parse(Value(args, ref i)));
                    break;
                case "--start":
                    var kind = Value(args, ref i);
                    options.Start.Add(kind is "etcd" or "kvasir" ? kind : throw new ArgumentException($"--start takes etcd or kvasir, not '{kind}'"));
                    break;
                case "--matrix":
                    options.Groups.Clear();
                    foreach (var group in Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        options.Groups.Add(Array.IndexOf(Matrix.Groups, group) >= 0 ? group : throw new ArgumentException($"--matrix: unknown group '{group}' (known: {string.Join(", ", Matrix.Groups)})"));
                    }

                    break;
                case "--scale":
                    options.Scale = double.TryParse(Value(args, ref i), NumberStyles.Float, CultureInfo.InvariantCulture, out var scale) && scale > 0 && scale <= 100
                        ? scale
                        : throw new ArgumentException("--scale takes a number in (0, 100]");
                    break;
                case "--row-timeout":
                    options.RowTimeout = int.TryParse(Value(args, ref i), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
                        ? TimeSpan.FromSeconds(seconds)
                        : throw new ArgumentException("--row-timeout takes a positive number of seconds");
                    break;
                case "--tsv":
                    options.TsvPath = Value(args, ref i);
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{arg}'");
            }
        }

        return options;
    }

    private static string Value(string[] args, ref int i) =>
        i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
}

using System.Globalization;

namespace Kvasir.Bench.Load.Member;

/// <summary>The member benchmark's options.</summary>
internal sealed class MemberBenchOptions
{
    public int Seconds { get; private init; } = 5;

    public int ValueBytes { get; private init; } = 256;

    public int KeysPerCaller { get; private init; } = 1000;

    public IReadOnlyList<int> Callers { get; private init; } = [1, 256, 1000];

    public IReadOnlyList<string> Rows { get; private init; } = ["put", "range-s", "range-l"];

    public static MemberBenchOptions Parse(string[] args)
    {
        var o = new MemberBenchOptions();
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            o = args[i] switch
            {
                "--seconds" => new MemberBenchOptions { Seconds = Int(args[i + 1]), ValueBytes = o.ValueBytes, KeysPerCaller = o.KeysPerCaller, Callers = o.Callers, Rows = o.Rows },
                "--value-bytes" => new MemberBenchOptions { Seconds = o.Seconds, ValueBytes = Int(args[i + 1]), KeysPerCaller = o.KeysPerCaller, Callers = o.Callers, Rows = o.Rows },
                "--callers" => new MemberBenchOptions { Seconds = o.Seconds, ValueBytes = o.ValueBytes, KeysPerCaller = o.KeysPerCaller, Callers = [.. args[i + 1].Split(',').Select(Int)], Rows = o.Rows },
                "--rows" => new MemberBenchOptions { Seconds = o.Seconds, ValueBytes = o.ValueBytes, KeysPerCaller = o.KeysPerCaller, Callers = o.Callers, Rows = args[i + 1].Split(',') },
                _ => throw new ArgumentException($"unknown option {args[i]} (want --seconds, --value-bytes, --callers, --rows)"),
            };
        }

        return o;
    }

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);
}

using System.Globalization;

namespace Kvasir.Bench.Load;

/// <summary>A server under load: a label, its client endpoints, and optionally its process id for CPU and memory figures.</summary>
internal sealed record Target(string Name, IReadOnlyList<string> Endpoints, int? Pid)
{
    /// <summary>Parses <c>name=host:port[,host:port...][,pid=N]</c>, e.g. <c>etcd=127.0.0.1:2379,pid=4242</c>.</summary>
    public static Target Parse(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == text.Length - 1)
        {
            throw new ArgumentException($"--target '{text}' is not name=host:port[,host:port...][,pid=N]");
        }

        var endpoints = new List<string>();
        int? pid = null;
        foreach (var part in text[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (part.StartsWith("pid=", StringComparison.Ordinal))
            {
                pid = int.TryParse(part.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p > 0
                    ? p
                    : throw new ArgumentException($"--target '{text}': '{part}' is not a process id");
            }
            else
            {
                endpoints.Add(part);
            }
        }

        return endpoints.Count == 0
            ? throw new ArgumentException($"--target '{text}' names no endpoint")
            : new Target(text[..eq], endpoints, pid);
    }

    public override string ToString() => $"{Name}={string.Join(",", Endpoints)}{(Pid is { } p ? $",pid={p}" : "")}";
}

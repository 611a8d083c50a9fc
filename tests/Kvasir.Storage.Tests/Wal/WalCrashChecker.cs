using System.Globalization;
using Kvasir.Storage.CrashChild;
using Kvasir.Storage.Snap;
using Kvasir.Storage.Wal;

namespace Kvasir.Storage.Tests.Wal;

/// <summary>
/// Checks a reopened WAL against what a <see cref="WalCrashWorkload"/> reported before it died:
/// every entry reported durable is there with its term unless a later leader change replaced it;
/// the hard state commits at least every reported commit; the snapshot is at least the last one
/// reported; and every entry held is one the workload wrote (its data matches its index and term)
/// with terms never decreasing: the log is a prefix of what was written.
/// </summary>
internal static class WalCrashChecker
{
    public static void Check(IReadOnlyList<string> events, WalReadResult recovered, RaftSnapshot? snapshot)
    {
        var held = new Dictionary<ulong, ulong>();
        ulong previousTerm = 0;
        foreach (var entry in recovered.Entries)
        {
            if (!WalCrashWorkload.IsGenuine(entry))
            {
                throw new InvalidOperationException($"entry {entry.Index} (term {entry.Term}) holds data the workload never wrote");
            }

            if (entry.Term < previousTerm)
            {
                throw new InvalidOperationException($"entry {entry.Index} has term {entry.Term} after term {previousTerm}");
            }

            previousTerm = entry.Term;
            held[entry.Index] = entry.Term;
        }

        var replacements = new List<(ulong Index, ulong Term)>();
        foreach (var line in events)
        {
            if (line.StartsWith("R ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                replacements.Add((Parse(parts[1]), Parse(parts[2])));
            }
        }

        var snapshotIndex = recovered.Snapshot.Index;
        ulong maxCommit = 0;
        ulong maxSnapshot = 0;
        foreach (var line in events)
        {
            var parts = line.Split(' ');
            switch (parts[0])
            {
                case "D":
                    var index = Parse(parts[1]);
                    var term = Parse(parts[2]);
                    if (index <= snapshotIndex || replacements.Exists(r => r.Index <= index && r.Term > term))
                    {
                        break;
                    }

                    if (!held.TryGetValue(index, out var heldTerm) || heldTerm != term)
                    {
                        throw new InvalidOperationException($"entry {index} (term {term}) was reported durable but is {(held.ContainsKey(index) ? $"term {held[index]}" : "missing")} after reopening (log ends at {recovered.LastIndex}, snapshot {snapshotIndex})");
                    }

                    break;
                case "C":
                    maxCommit = Math.Max(maxCommit, Parse(parts[1]));
                    break;
                case "S":
                    maxSnapshot = Math.Max(maxSnapshot, Parse(parts[1]));
                    break;
            }
        }

        if (recovered.HardState.Commit < maxCommit)
        {
            throw new InvalidOperationException($"commit {maxCommit} was reported durable but the hard state commits {recovered.HardState.Commit}");
        }

        if ((snapshot?.Metadata.Index ?? 0) < maxSnapshot)
        {
            throw new InvalidOperationException($"snapshot {maxSnapshot} was reported durable but the member starts from {snapshot?.Metadata.Index ?? 0}");
        }
    }

    private static ulong Parse(string text) => ulong.Parse(text, CultureInfo.InvariantCulture);
}

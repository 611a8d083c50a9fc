using System.Text;
using System.Text.RegularExpressions;

namespace Kvasir.Testing;

/// <summary>
/// Makes etcdctl's output from two servers comparable: what differs between any two members by
/// nature — cluster and member ids, lease ids, raft term and index, versions, database sizes,
/// timings, timestamps, client ids in log lines — is replaced by a placeholder; what a user relies
/// on (keys, values, revisions, counts, errors, layout) is kept. Tables are re-rendered after
/// masking, so that a column's width follows the masked cells.
/// </summary>
public static partial class EtcdctlOutput
{
    private static readonly string[] MaskedJsonNumbers =
        ["cluster_id", "member_id", "raft_term", "leader", "raftIndex", "raftTerm", "raftAppliedIndex", "dbSize", "dbSizeInUse", "ID", "memberID"];

    private static readonly string[] MaskedFields =
        ["ClusterID", "MemberID", "RaftTerm", "ID", "Leader", "RaftIndex", "RaftAppliedIndex", "DBSize", "DBSizeInUse", "Version"];

    private static readonly HashSet<string> MaskedColumns =
        new(StringComparer.Ordinal) { "ID", "VERSION", "DB SIZE", "RAFT TERM", "RAFT INDEX", "RAFT APPLIED INDEX", "TOOK", "ENDPOINT", "PEER ADDRS", "CLIENT ADDRS", "NAME" };

    public static string Normalize(string output)
    {
        var text = output.Replace("\r\n", "\n");
        foreach (var name in MaskedJsonNumbers)
        {
            text = Regex.Replace(text, $"\"{name}\":\"?-?[0-9]+\"?", $"\"{name}\":\"<{name}>\"");
        }

        foreach (var name in MaskedFields)
        {
            text = Regex.Replace(text, $"^\"{name}\" : .*$", $"\"{name}\" : <{name}>", RegexOptions.Multiline);
        }

        text = JsonVersion().Replace(text, "\"version\":\"<version>\"");
        text = JsonEndpoint().Replace(text, "\"Endpoint\":\"<endpoint>\"");
        text = LeaseId().Replace(text, "lease <lease>");
        text = HexId().Replace(text, "<id>");
        text = Took().Replace(text, "took = <took>");
        text = Endpoint().Replace(text, "<endpoint>");
        text = LogTimestamp().Replace(text, "\"ts\":\"<ts>\"");
        text = LogTarget().Replace(text, "\"target\":\"<target>\"");
        return NormalizeTables(text);
    }

    /// <summary>etcdctl's tables, re-rendered with the masked columns replaced.</summary>
    private static string NormalizeTables(string text)
    {
        var lines = text.Split('\n');
        var result = new StringBuilder();
        var i = 0;
        while (i < lines.Length)
        {
            if (!lines[i].StartsWith("+-", StringComparison.Ordinal))
            {
                result.Append(lines[i]);
                if (i < lines.Length - 1)
                {
                    result.Append('\n');
                }

                i++;
                continue;
            }

            var rows = new List<string[]>();
            while (i < lines.Length && (lines[i].StartsWith("+-", StringComparison.Ordinal) || lines[i].StartsWith('|')))
            {
                if (lines[i].StartsWith('|'))
                {
                    rows.Add(lines[i].Trim('|').Split('|').Select(c => c.Trim()).ToArray());
                }

                i++;
            }

            var header = rows.Count > 0 ? rows[0] : [];
            foreach (var row in rows.Skip(1))
            {
                for (var c = 0; c < row.Length && c < header.Length; c++)
                {
                    if (MaskedColumns.Contains(header[c]))
                    {
                        row[c] = "<" + header[c].ToLowerInvariant() + ">";
                    }
                }
            }

            foreach (var row in rows)
            {
                result.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
            }
        }

        return result.ToString();
    }

    [GeneratedRegex("\"version\":\"[0-9][^\"]*\"")]
    private static partial Regex JsonVersion();

    [GeneratedRegex("\"Endpoint\":\"[^\"]*\"")]
    private static partial Regex JsonEndpoint();

    [GeneratedRegex("lease [0-9a-f]{1,16}")]
    private static partial Regex LeaseId();

    [GeneratedRegex("\\b[0-9a-f]{16}\\b")]
    private static partial Regex HexId();

    [GeneratedRegex("took = [0-9.]+[µmun]?s")]
    private static partial Regex Took();

    [GeneratedRegex("(https?://)?127\\.0\\.0\\.1:[0-9]+")]
    private static partial Regex Endpoint();

    [GeneratedRegex("\"ts\":\"[^\"]*\"")]
    private static partial Regex LogTimestamp();

    [GeneratedRegex("\"target\":\"[^\"]*\"")]
    private static partial Regex LogTarget();
}

using System.Text;

namespace Kvasir.Raft.Tests.Scenarios;

/// <summary>
/// A scenario file: blocks of one command line ("> command args") followed by its expected
/// output, separated by blank lines; lines starting with "#" are comments, kept on rewrite.
/// </summary>
internal sealed class ScenarioFile
{
    private ScenarioFile(List<Block> blocks)
    {
        Blocks = blocks;
    }

    /// <summary>A command, the comments before it, where it is, and the output it expects.</summary>
    public sealed record Block(List<string> Comments, string Command, int Line, string Expected);

    public List<Block> Blocks { get; }

    public static ScenarioFile Parse(string text)
    {
        var blocks = new List<Block>();
        var comments = new List<string>();
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i];
            if (line.StartsWith('#'))
            {
                comments.Add(line);
                i++;
                continue;
            }

            if (line.Trim().Length == 0)
            {
                i++;
                continue;
            }

            if (!line.StartsWith("> ", StringComparison.Ordinal))
            {
                throw new FormatException($"line {i + 1}: expected a command starting with '> ', got '{line}'");
            }

            var command = line[2..].Trim();
            var at = i + 1;
            i++;
            var expected = new StringBuilder();
            while (i < lines.Length && lines[i].Trim().Length != 0)
            {
                expected.Append(lines[i]).Append('\n');
                i++;
            }

            blocks.Add(new Block(comments, command, at, expected.ToString()));
            comments = [];
        }

        return new ScenarioFile(blocks);
    }

    /// <summary>The file with every block's output replaced by <paramref name="outputs"/>.</summary>
    public string Render(IReadOnlyList<string> outputs)
    {
        var sb = new StringBuilder();
        for (var b = 0; b < Blocks.Count; b++)
        {
            var block = Blocks[b];
            if (b > 0)
            {
                sb.Append('\n');
            }

            foreach (var c in block.Comments)
            {
                sb.Append(c).Append('\n');
            }

            sb.Append("> ").Append(block.Command).Append('\n');
            sb.Append(outputs[b]);
        }

        return sb.ToString();
    }
}

using System.Text.Json;
using Kvasir.Server.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kvasir.Server.Tests.Logging;

public sealed partial class JsonLineFormatterTests
{
    [Fact]
    public void Write_LoggerMessage_OneJsonLineWithEtcdShapedFields()
    {
        var formatter = new JsonLineFormatter();
        var writer = new StringWriter();
        var state = new List<KeyValuePair<string, object?>>
        {
            new("Term", 3UL),
            new("LeaderId", "8e9e05c52164694d"),
            new("{OriginalFormat}", "elected leader {LeaderId} at term {Term}"),
        };
        var entry = new LogEntry<IReadOnlyList<KeyValuePair<string, object?>>>(LogLevel.Information, "Kvasir.Server.Raft", new EventId(1), state, null, (_, _) => "elected leader 8e9e05c52164694d at term 3");

        formatter.Write(entry, null, writer);

        var line = writer.ToString();
        Assert.EndsWith("\n", line, StringComparison.Ordinal);
        Assert.Single(line.Trim().Split('\n'));
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        Assert.Equal("info", root.GetProperty("level").GetString());
        Assert.Equal("Raft", root.GetProperty("logger").GetString());
        Assert.Equal("elected leader 8e9e05c52164694d at term 3", root.GetProperty("msg").GetString());
        Assert.Equal(3, root.GetProperty("term").GetInt64());
        Assert.Equal("8e9e05c52164694d", root.GetProperty("leader-id").GetString());
        Assert.False(root.TryGetProperty("{OriginalFormat}", out _));
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("ts").GetString(), out _));
    }
}

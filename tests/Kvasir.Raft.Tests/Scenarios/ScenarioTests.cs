using System.Runtime.CompilerServices;

namespace Kvasir.Raft.Tests.Scenarios;

/// <summary>
/// Runs every scenario in Scenarios/testdata and compares each command's output with the file.
/// To regenerate the expected outputs after a deliberate change, run with KVASIR_RAFT_REWRITE=1
/// and review the diff: <c>KVASIR_RAFT_REWRITE=1 dotnet test tests/Kvasir.Raft.Tests --filter "FullyQualifiedName~Scenario_"</c>.
/// </summary>
public sealed class ScenarioTests
{
    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(DataDir(), "*.txt").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Scenario_File_ProducesItsExpectedOutput(string name)
    {
        var path = Path.Combine(DataDir(), name + ".txt");
        var file = ScenarioFile.Parse(File.ReadAllText(path));
        var env = new ScenarioEnv();
        var outputs = new List<string>();
        foreach (var block in file.Blocks)
        {
            outputs.Add(env.Run(block.Command));
        }

        if (Environment.GetEnvironmentVariable("KVASIR_RAFT_REWRITE") == "1")
        {
            File.WriteAllText(Path.Combine(SourceDataDir(), name + ".txt"), file.Render(outputs));
            return;
        }

        for (var i = 0; i < file.Blocks.Count; i++)
        {
            var b = file.Blocks[i];
            if (b.Expected != outputs[i])
            {
                Assert.Fail($"{name}.txt:{b.Line}: '> {b.Command}'\n--- expected\n{b.Expected}--- got\n{outputs[i]}(rewrite with KVASIR_RAFT_REWRITE=1 after checking the change is intended)");
            }
        }
    }

    private static string DataDir() => Path.Combine(AppContext.BaseDirectory, "Scenarios", "testdata");

    private static string SourceDataDir([CallerFilePath] string self = "") => Path.Combine(Path.GetDirectoryName(self)!, "testdata");
}

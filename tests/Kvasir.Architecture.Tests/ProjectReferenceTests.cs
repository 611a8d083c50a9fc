using System.Xml.Linq;
using Kvasir.Testing;

namespace Kvasir.Architecture.Tests;

/// <summary>
/// The layers of shared/DESIGN.md, checked on the project files: a lower layer never references a
/// higher one, Raft references nothing of ours, and Client and Ctl never see Server or Storage.
/// </summary>
public sealed class ProjectReferenceTests
{
    /// <summary>Every src project and the src projects it may reference directly.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Kvasir.Raft"] = [],
        ["Kvasir.Api"] = [],
        ["Kvasir.Grpc"] = [],
        ["Kvasir.Storage"] = ["Kvasir.Raft", "Kvasir.Api"],
        ["Kvasir.Server"] = ["Kvasir.Raft", "Kvasir.Api", "Kvasir.Grpc", "Kvasir.Storage"],
        ["Kvasir.Client"] = ["Kvasir.Api", "Kvasir.Grpc"],
        ["Kvasir.Ctl"] = ["Kvasir.Client", "Kvasir.Api", "Kvasir.Grpc"],
        ["Kvasir.Utl"] = ["Kvasir.Storage", "Kvasir.Raft", "Kvasir.Api"],
    };

    [Fact]
    public void SourceProjects_AreExactlyTheKnownLayers()
    {
        var found = SourceProjects().Keys.Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Allowed.Keys.Order(StringComparer.Ordinal).ToArray(), found);
    }

    [Fact]
    public void EveryProject_ReferencesOnlyWhatItsLayerAllows()
    {
        var violations = new List<string>();
        foreach (var (project, references) in SourceProjects())
        {
            foreach (var reference in references)
            {
                if (!Allowed[project].Contains(reference))
                {
                    violations.Add($"{project} references {reference}");
                }
            }
        }

        Assert.Empty(violations);
    }

    [Theory]
    [InlineData("Kvasir.Client")]
    [InlineData("Kvasir.Ctl")]
    public void ClientSide_NeverReachesServerOrStorage_EvenIndirectly(string project)
    {
        var reachable = Closure(project);
        Assert.DoesNotContain("Kvasir.Server", reachable);
        Assert.DoesNotContain("Kvasir.Storage", reachable);
    }

    [Fact]
    public void Raft_ReferencesNothingOfOurs()
    {
        Assert.Empty(SourceProjects()["Kvasir.Raft"]);
    }

    private static HashSet<string> Closure(string project)
    {
        var all = SourceProjects();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(all[project]);
        while (stack.Count > 0)
        {
            var next = stack.Pop();
            if (seen.Add(next))
            {
                foreach (var r in all[next])
                {
                    stack.Push(r);
                }
            }
        }

        return seen;
    }

    private static Dictionary<string, string[]> SourceProjects()
    {
        var src = Path.Combine(RepoPaths.Root, "src");
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(src, "*.csproj", SearchOption.AllDirectories))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            var refs = XDocument.Load(file)
                .Descendants("ProjectReference")
                .Select(e => Path.GetFileNameWithoutExtension((string?)e.Attribute("Include") ?? ""))
                .ToArray();
            result[name] = refs;
        }

        return result;
    }
}

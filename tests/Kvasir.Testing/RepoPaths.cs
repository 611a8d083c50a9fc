namespace Kvasir.Testing;

/// <summary>Where things are in the source tree, found from the test's output directory.</summary>
public static class RepoPaths
{
    /// <summary>The repository root: the first folder above the test binaries that holds Kvasir.slnx.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The shared folder (DESIGN.md, ETCD-FACTS.md): <c>../shared</c> beside the repository, or
    /// beside a folder above it when the checkout is a worktree nested deeper.
    /// </summary>
    public static string Shared { get; } = FindShared();

    /// <summary>The build configuration the tests were built with (Debug or Release).</summary>
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The path of a project's built assembly, e.g. <c>Output("Kvasir.Server", "kvasir.dll")</c>.</summary>
    public static string Output(string project, string assembly)
    {
        var local = Path.Combine(AppContext.BaseDirectory, assembly);
        if (File.Exists(local) && File.Exists(Path.ChangeExtension(local, ".runtimeconfig.json")))
        {
            return local;
        }

        var built = Path.Combine(Root, "src", project, "bin", Configuration, "net10.0", assembly);
        return File.Exists(built)
            ? built
            : throw new FileNotFoundException($"{assembly} is not built: build {project} first (the test command builds the whole solution)", built);
    }

    private static string FindShared()
    {
        for (var dir = new DirectoryInfo(Root).Parent; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (File.Exists(Path.Combine(candidate, "ETCD-FACTS.md")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("no shared/ETCD-FACTS.md beside the repository or a folder above it");
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Kvasir.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("Kvasir.slnx not found above " + AppContext.BaseDirectory);
    }
}

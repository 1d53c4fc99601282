namespace InterpKernel.Tests;

/// <summary>Locations of repository files (models, fixtures) as seen from the test output folder.</summary>
public static class TestPaths
{
    /// <summary>The folder that holds InterpKernel.sln, found by walking up from the test binaries.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>A shipped model folder under models/, e.g. Models("kjv-gpt2-2l").</summary>
    public static string Models(string name) => Path.Combine(RepoRoot, "models", name);

    /// <summary>A fixture copied next to the test binaries, e.g. Fixture("gpt2-tokenizer-cases.json").</summary>
    public static string Fixture(string relative) => Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "InterpKernel.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No InterpKernel.sln above {AppContext.BaseDirectory}: run the tests from inside the repository.");
    }
}

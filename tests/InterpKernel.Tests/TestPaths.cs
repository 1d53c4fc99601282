namespace InterpKernel.Tests;

/// <summary>Where the repository, its embedded models and the copied test fixtures are.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    /// <summary>The folder holding InterpKernel.sln, found by walking up from the test binaries.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The folder of an embedded model, e.g. <c>Models("kjv-gpt2-2l")</c>.</summary>
    public static string Models(string name) => Path.Combine(RepoRoot, "models", name);

    /// <summary>A fixture copied next to the test binaries, e.g. <c>Fixture("hf-reference/kjv-gpt2-2l/reference.safetensors")</c>.</summary>
    public static string Fixture(string relative) => Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);

    private static string FindRepoRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "InterpKernel.sln")))
            {
                return folder.FullName;
            }
        }
        throw new DirectoryNotFoundException(
            $"No folder containing InterpKernel.sln above '{AppContext.BaseDirectory}'; run the tests from inside the repository.");
    }
}

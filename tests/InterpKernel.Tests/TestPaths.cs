namespace InterpKernel.Tests;

/// <summary>Locations of the repository, its embedded models and the test fixtures.</summary>
public static class TestPaths
{
    /// <summary>The folder that holds InterpKernel.sln, found by walking up from the test binaries.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>The folder of an embedded model, such as models/kjv-gpt2-2l.</summary>
    public static string Models(string name) => Path.Combine(RepoRoot, "models", name);

    /// <summary>A file or folder under the Fixtures folder copied next to the test binaries.</summary>
    public static string Fixture(string relative) => Path.Combine(AppContext.BaseDirectory, "Fixtures", relative);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InterpKernel.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds InterpKernel.sln.");
    }
}

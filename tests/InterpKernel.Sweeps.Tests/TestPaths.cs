namespace InterpKernel.Sweeps.Tests;

/// <summary>Where the repository, its embedded model, its texts and the test fixtures are.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "InterpKernel.sln")))
            {
                return folder.FullName;
            }
        }
        throw new DirectoryNotFoundException($"No folder containing InterpKernel.sln above '{AppContext.BaseDirectory}'.");
    });

    /// <summary>The repository root.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The two-layer embedded model.</summary>
    public static string Model => Path.Combine(RepoRoot, "models", "kjv-gpt2-2l");

    /// <summary>A file of data/text.</summary>
    public static string Text(string name) => Path.Combine(RepoRoot, "data", "text", name);

    /// <summary>A fixture next to the test binaries.</summary>
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>interp-kernel.dll next to the test binaries.</summary>
    public static string KernelDll => Path.Combine(AppContext.BaseDirectory, "interp-kernel.dll");

    /// <summary>A fresh empty folder under the system temp folder.</summary>
    public static string NewFolder(string prefix)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"interpkernel-{prefix}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Writes a spec file into <paramref name="folder"/> and returns its path.</summary>
    public static string WriteSpec(string folder, string name, string json)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>A JSON string literal.</summary>
    public static string Json(string value) => System.Text.Json.JsonSerializer.Serialize(value);
}

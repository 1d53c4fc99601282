using Xunit;

namespace InterpKernel.Kernel.Tests;

/// <summary>
/// Every notebook runs once, through one of the two paths that share the cell engine: the chapters in tutorials/ through
/// the headless runner (executed notebooks and HTML reports are kept under artifacts/tutorials for people to open), the
/// notebooks in notebooks/ under Jupyter's own client (nbclient) against the installed kernel.
/// </summary>
public sealed class NotebookSuiteTests(JupyterFixture jupyter) : IClassFixture<JupyterFixture>
{
    static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "InterpKernel.sln"))) return dir.FullName;
            throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds InterpKernel.sln.");
        }
    }

    public static TheoryData<string> Notebooks => Collect("notebooks");

    public static TheoryData<string> Chapters => Collect("tutorials");

    static TheoryData<string> Collect(string folder)
    {
        var data = new TheoryData<string>();
        if (!Directory.Exists(Path.Combine(RepoRoot, folder))) return data;
        foreach (var file in Directory.GetFiles(Path.Combine(RepoRoot, folder), "*.ipynb").Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(RepoRoot, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Chapters))]
    public void The_notebook_runs_headless_without_a_failing_cell(string notebook)
    {
        string name = Path.GetFileNameWithoutExtension(notebook);
        string folder = Path.GetDirectoryName(notebook)!;
        string outDir = Path.Combine(RepoRoot, "artifacts", folder);
        Directory.CreateDirectory(outDir);
        var (code, stdout, stderr) = JupyterFixture.RunProcess("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "interp-kernel.dll"), "run", Path.Combine(RepoRoot, notebook),
             "--output", Path.Combine(outDir, name + ".ipynb"), "--html", Path.Combine(outDir, name + ".html")],
            TimeSpan.FromMinutes(8));
        Assert.True(code == 0, $"{notebook} failed ({code}):\n{stdout}\n{stderr}");
        Assert.True(File.Exists(Path.Combine(outDir, name + ".html")));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void The_notebook_runs_under_jupyter_and_shows_our_views(string notebook)
    {
        var result = jupyter.RunScript("nbclient_repo_notebook.py", TimeSpan.FromMinutes(8), Path.Combine(RepoRoot, notebook));
        Assert.True(result["error"] is null, $"{notebook}: {result["error"]}");
        Assert.Empty(result["error_outputs"]!.AsArray());
        Assert.True(result["html_outputs"]!.GetValue<int>() > 0, $"{notebook} produced no text/html output");
    }
}

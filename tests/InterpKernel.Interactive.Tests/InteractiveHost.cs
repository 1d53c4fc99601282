using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace InterpKernel.Interactive.Tests;

/// <summary>
/// The real .NET Interactive host: the folder build/interactive-host.sh prepares (the dotnet-interactive tool, its
/// .net-csharp kernelspec, and the extension packed into artifacts/nuget), taken from INTERPKERNEL_INTERACTIVE_HOST when
/// build/test.sh set it, else prepared here under artifacts/interactive-host. Cells run under nbclient.
/// </summary>
internal static class InteractiveHost
{
    private const string Python = "/usr/bin/python3";
    private const string KernelName = ".net-csharp";

    /// <summary>The repository root (the folder holding InterpKernel.sln).</summary>
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>Prepares the host once, then runs <paramref name="cells"/> in one kernel session.</summary>
    /// <returns>The driver's JSON: <c>seconds</c> and, per cell, <c>source</c> and <c>outputs</c>.</returns>
    /// <param name="cells">The cell sources; a cell for another kernel starts with its <c>#!name</c> line.</param>
    /// <param name="folder">The working folder of the notebook (relative paths in cells start there).</param>
    /// <param name="timeout">How long the whole session may take.</param>
    public static JsonNode RunCells(IReadOnlyList<string> cells, string folder, TimeSpan timeout)
    {
        var host = Folder.Value;
        var cellsFile = Path.Combine(Path.GetTempPath(), $"interactive-cells-{Guid.NewGuid():N}.json");
        File.WriteAllText(cellsFile, JsonSerializer.Serialize(cells));
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["JUPYTER_PATH"] = Path.Combine(host, "jupyter"),
                ["JUPYTER_RUNTIME_DIR"] = Directory.CreateTempSubdirectory("interactive-runtime-").FullName,
                ["JUPYTER_PLATFORM_DIRS"] = "1",
                ["DOTNET_INTERACTIVE_CLI_TELEMETRY_OPTOUT"] = "1",
            };
            var script = Path.Combine(AppContext.BaseDirectory, "Host", "run_cells.py");
            var (code, stdout, stderr) = Run(Python, [script, KernelName, cellsFile, folder], timeout, environment);
            var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
            if (code != 0 || last is null || !last.StartsWith('{'))
            {
                throw new InvalidOperationException($"run_cells.py exited with {code}:\n{stdout}\n{stderr}");
            }

            return JsonNode.Parse(last)!;
        }
        finally
        {
            File.Delete(cellsFile);
        }
    }

    /// <summary>The version the extension was packed with into artifacts/nuget.</summary>
    public static string Version => File.ReadAllText(Path.Combine(Folder.Value, "version.txt")).Trim();

    private static readonly Lazy<string> Folder = new(() =>
    {
        var prepared = Environment.GetEnvironmentVariable("INTERPKERNEL_INTERACTIVE_HOST");
        if (!string.IsNullOrWhiteSpace(prepared) && File.Exists(Path.Combine(prepared, "version.txt")))
        {
            return prepared;
        }

        var (code, stdout, stderr) = Run("bash", [Path.Combine(RepoRoot, "build", "interactive-host.sh")], TimeSpan.FromMinutes(10));
        if (code != 0)
        {
            throw new InvalidOperationException($"build/interactive-host.sh failed ({code}):\n{stdout}\n{stderr}");
        }

        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last().Trim();
    });

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InterpKernel.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No InterpKernel.sln above {AppContext.BaseDirectory}: run the tests from the repository.");
    }

    private static (int Code, string Stdout, string Stderr) Run(
        string file, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout}", $"{stdout.Result}\n{stderr.Result}");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}

using System.Diagnostics;
using System.Text.Json.Nodes;

namespace InterpKernel.Kernel.Tests;

/// <summary>
/// Installs the kernelspec with the real <c>interp-kernel install --prefix</c> into a temporary folder and
/// runs Python scripts that talk to the kernel through Jupyter's own client libraries.
/// </summary>
public sealed class JupyterFixture : IDisposable
{
    // Jupyter's client libraries come from Debian's packages, installed for the system interpreter.
    private const string Python = "/usr/bin/python3";

    public JupyterFixture()
    {
        Prefix = Directory.CreateTempSubdirectory("interp-kernel-jupyter-").FullName;
        var (code, output, error) = RunProcess("dotnet", [Path.Combine(AppContext.BaseDirectory, "interp-kernel.dll"), "install", "--prefix", Prefix], TimeSpan.FromSeconds(60));
        if (code != 0)
        {
            throw new InvalidOperationException($"interp-kernel install failed ({code}): {output}{error}");
        }
    }

    public string Prefix { get; }

    public string KernelSpecFolder => Path.Combine(Prefix, "share", "jupyter", "kernels", "interp-kernel-csharp");

    public JsonNode RunScript(string script, TimeSpan timeout, params string[] arguments)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Jupyter", script);
        var (code, stdout, stderr) = RunProcess(Python, [path, .. arguments], timeout, ClientEnvironment());
        var lastLine = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (code != 0 || lastLine is null)
        {
            throw new InvalidOperationException($"{script} exited with {code}:\n{stdout}\n{stderr}");
        }

        return JsonNode.Parse(lastLine)!;
    }

    /// <summary>Runs <c>python3 -m unittest</c> on a module of the Jupyter folder; returns the exit code and what it wrote.</summary>
    public (int Code, string Output) RunUnittest(string module, TimeSpan timeout)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Jupyter");
        var (code, stdout, stderr) = RunProcess(Python, ["-m", "unittest", "-v", module], timeout, ClientEnvironment(), folder);
        return (code, stdout + stderr);
    }

    private Dictionary<string, string> ClientEnvironment() => new()
    {
        ["JUPYTER_PATH"] = Path.Combine(Prefix, "share", "jupyter"),
        ["JUPYTER_RUNTIME_DIR"] = Path.Combine(Prefix, "runtime"),
        ["JUPYTER_PLATFORM_DIRS"] = "1",
        // The kernel keeps its input history under XDG_DATA_HOME; tests keep theirs apart from the user's.
        ["XDG_DATA_HOME"] = Path.Combine(Prefix, "data"),
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(Prefix, recursive: true);
        }
        catch (IOException)
        {
            // A kernel that is still exiting may hold a file for a moment; the temp folder is cleaned by the OS.
        }
    }

    internal static (int Code, string Stdout, string Stderr) RunProcess(
        string file, IEnumerable<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
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

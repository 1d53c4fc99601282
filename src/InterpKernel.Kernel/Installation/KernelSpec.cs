using System.Text.Json;
using System.Text.Json.Nodes;

namespace InterpKernel.Kernel.Installation;

/// <summary>The Jupyter kernelspec of this kernel and where Jupyter looks for kernelspecs.</summary>
public static class KernelSpec
{
    /// <summary>The kernelspec folder name, which front ends use as the kernel name.</summary>
    public const string Name = "interp-kernel-csharp";

    /// <summary>The command that starts this kernel: the executable, or <c>dotnet</c> and the assembly when run through <c>dotnet</c>.</summary>
    public static IReadOnlyList<string> LaunchCommand()
    {
        var process = Environment.ProcessPath
            ?? throw new InvalidOperationException("The path of the running executable is unknown: run interp-kernel from its installed location.");
        var assembly = typeof(KernelSpec).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? [process, assembly]
            : [process];
    }

    /// <summary>The kernel.json content.</summary>
    /// <param name="launch">The command that starts the kernel, without the connection file arguments.</param>
    public static JsonObject Create(IReadOnlyList<string> launch)
    {
        var argv = new JsonArray(launch.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray());
        argv.Add("-f");
        argv.Add("{connection_file}");
        return new JsonObject
        {
            ["argv"] = argv,
            ["display_name"] = "C# (InterpKernel)",
            ["language"] = "csharp",
            ["interrupt_mode"] = "message",
            ["metadata"] = new JsonObject { ["debugger"] = false },
        };
    }

    /// <summary>kernel.json as indented text.</summary>
    /// <param name="launch">The command that starts the kernel.</param>
    public static string ToJson(IReadOnlyList<string> launch) =>
        Create(launch).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The kernels folder Jupyter reads: per user, under a prefix, or system-wide.</summary>
    /// <param name="user">Install for the current user only.</param>
    /// <param name="prefix">Install under <c>PREFIX/share/jupyter/kernels</c> (a virtual environment, say).</param>
    public static string KernelsFolder(bool user, string? prefix)
    {
        if (user && prefix is not null)
        {
            throw new ArgumentException("Choose either --user or --prefix, not both.", nameof(prefix));
        }

        if (prefix is not null)
        {
            return Path.Combine(Path.GetFullPath(prefix), "share", "jupyter", "kernels");
        }

        if (user)
        {
            var dataDir = Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR");
            if (!string.IsNullOrEmpty(dataDir))
            {
                return Path.Combine(dataDir, "kernels");
            }

            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (OperatingSystem.IsWindows())
            {
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "jupyter", "kernels");
            }

            if (OperatingSystem.IsMacOS())
            {
                return Path.Combine(home, "Library", "Jupyter", "kernels");
            }

            var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
            return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".local", "share") : xdg, "jupyter", "kernels");
        }

        return OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "jupyter", "kernels")
            : "/usr/local/share/jupyter/kernels";
    }

    /// <summary>Writes kernel.json and the logos into <c>kernelsFolder/interp-kernel-csharp</c>.</summary>
    /// <param name="kernelsFolder">A Jupyter kernels folder.</param>
    /// <param name="launch">The command that starts the kernel.</param>
    /// <returns>The kernelspec folder.</returns>
    public static string Install(string kernelsFolder, IReadOnlyList<string> launch)
    {
        var folder = Path.Combine(kernelsFolder, Name);
        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "kernel.json"), ToJson(launch));
            File.WriteAllBytes(Path.Combine(folder, "logo-32x32.png"), KernelLogo.Png(32));
            File.WriteAllBytes(Path.Combine(folder, "logo-64x64.png"), KernelLogo.Png(64));
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException(
                $"Cannot write the kernelspec to '{folder}': use --user, or --prefix with a folder you can write.", e);
        }

        return folder;
    }
}

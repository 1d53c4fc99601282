using System.Text.RegularExpressions;
using TorchSharp;

namespace InterpKernel;

/// <summary>
/// Whether a libtorch folder (a PyTorch installation's <c>torch/lib</c>) can serve TorchSharp's native library: every
/// symbol <c>libLibTorchSharp.so</c> needs from libtorch must be defined by one of the folder's libtorch libraries.
/// The version string is only advisory; the symbols decide.
/// </summary>
internal static partial class LibTorchCompatibility
{
    /// <summary>The libtorch libraries TorchSharp's native library can bind to, in load order.</summary>
    public static readonly string[] Libraries = ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"];

    /// <summary>The symbols <paramref name="torchSharpNative"/> needs that no libtorch library in <paramref name="libtorchDir"/> defines.</summary>
    public static IReadOnlyList<string> MissingSymbols(string torchSharpNative, string libtorchDir)
    {
        var needed = ElfDynamicSymbols.Read(torchSharpNative).NeededUnversioned;
        var missing = new HashSet<string>(needed, StringComparer.Ordinal);
        foreach (var lib in Libraries)
        {
            string path = Path.Combine(libtorchDir, lib);
            if (!File.Exists(path) || missing.Count == 0) continue;
            missing.ExceptWith(ElfDynamicSymbols.Read(path).Defined);
        }
        return missing.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>TorchSharp's native library as this program ships it, or <c>null</c> when it cannot be found.</summary>
    public static string? FindTorchSharpNative()
    {
        const string name = "libLibTorchSharp.so";
        var roots = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? "" };
        foreach (var root in roots.Where(r => r.Length > 0).Distinct())
        {
            foreach (var candidate in new[] { Path.Combine(root, name), Path.Combine(root, "runtimes", "linux-x64", "native", name) })
                if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>The PyTorch version of a <c>torch/lib</c> folder (from <c>torch/version.py</c>), or <c>null</c>.</summary>
    public static string? PyTorchVersion(string libtorchDir)
    {
        string versionFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(libtorchDir).TrimEnd('/'))!, "version.py");
        if (!File.Exists(versionFile)) return null;
        var v = VersionLine().Match(File.ReadAllText(versionFile));
        return v.Success ? v.Groups[1].Value : null;
    }

    /// <summary>
    /// Checks <paramref name="dir"/> for a CUDA libtorch that TorchSharp's native library can bind to. Returns a
    /// warning when the PyTorch version differs from the one TorchSharp was built for (the symbols still match), or
    /// <c>null</c>; throws <see cref="InvalidOperationException"/> saying what to do when the folder cannot serve.
    /// </summary>
    public static string? Check(string dir, string? torchSharpNative)
    {
        string variable = Devices.LibTorchVariable;
        if (!Directory.Exists(dir))
            throw new InvalidOperationException($"{variable} is '{dir}', which is not a folder. Point it at the torch/lib folder of a PyTorch installation with CUDA.");
        if (!File.Exists(Path.Combine(dir, "libtorch_cuda.so")))
            throw new InvalidOperationException($"{variable} is '{dir}', which holds no libtorch_cuda.so: that PyTorch is not a CUDA build, or the folder is not torch/lib.");
        string? version = PyTorchVersion(dir);
        if (torchSharpNative is not null)
        {
            var missing = MissingSymbols(torchSharpNative, dir);
            if (missing.Count > 0)
                throw new InvalidOperationException(
                    $"{variable} points at {(version is null ? "a libtorch" : $"PyTorch {version}")} in '{dir}', whose libraries lack {missing.Count} " +
                    $"symbol(s) TorchSharp's native library needs (e.g. {string.Join(", ", missing.Take(3))}): install a PyTorch whose libtorch " +
                    $"provides them (PyTorch {Devices.LibTorchVersion} always does) and point {variable} at its torch/lib folder.");
        }
        if (version is not null && !version.StartsWith(Devices.LibTorchVersion + ".", StringComparison.Ordinal))
            return $"{variable} points at PyTorch {version}; TorchSharp was built for libtorch {Devices.LibTorchVersion}. Every symbol TorchSharp " +
                   "needs is there, so it is used; if results look wrong, compare with the CPU or use PyTorch " + Devices.LibTorchVersion + ".";
        return null;
    }

    [GeneratedRegex(@"__version__\s*=\s*['""]([^'""]+)['""]")]
    private static partial Regex VersionLine();
}

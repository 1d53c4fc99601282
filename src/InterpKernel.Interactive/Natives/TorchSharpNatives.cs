using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace InterpKernel.Interactive.Natives;

/// <summary>
/// Makes TorchSharp's native backend load inside a host that does not load the native libraries of NuGet packages
/// (dotnet-interactive): the CPU libtorch of the restored <c>libtorch-cpu-linux-x64</c> package and TorchSharp's
/// <c>libLibTorchSharp.so</c>, copied into a cache folder and, where the system libstdc++ lacks
/// <c>GLIBCXX_3.4.32</c> (Debian 12, Ubuntu 22.04), with that one version requirement marked weak. With
/// <see cref="Devices.LibTorchVariable"/> set, PyTorch's CUDA libtorch is loaded first, as the InterpKernel kernel does.
/// </summary>
internal static class TorchSharpNatives
{
    private const string NativeName = "LibTorchSharp";
    private const string NativeFile = "libLibTorchSharp.so";
    private const string GlibcxxVersion = "GLIBCXX_3.4.32";

    // PyTorch's libraries in dependency order, so each one's NEEDED entries are already loaded.
    private static readonly string[] PyTorchLoadOrder =
        ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"];

    private static readonly string[] LibStdCxxCandidates =
    [
        "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib64/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
    ];

    private static readonly object Gate = new();
    private static string? _report;
    private static IntPtr _handle;

    /// <summary>
    /// Prepares and loads the native backend once per process; returns what it did, in one line. Elsewhere than
    /// x64 Linux it does nothing: TorchSharp's own loading works in those hosts or the package is absent anyway.
    /// </summary>
    public static string Install()
    {
        lock (Gate)
        {
            return _report ??= InstallOnce();
        }
    }

    private static string InstallOnce()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return "TorchSharp natives: left to TorchSharp (not x64 Linux).";
        }

        var torchSharp = typeof(torch).Assembly;
        if (NativeLibrary.TryLoad(NativeName, torchSharp, null, out _))
        {
            // A program that lists the natives in its deps.json (InterpKernel's own kernel, tests) loads them itself.
            return "TorchSharp natives: loaded by the host.";
        }

        var packages = PackagesFolder(torchSharp);
        var version = torchSharp.GetName().Version!;
        var torchSharpVersion = $"{version.Major}.{version.Minor}.{version.Build}";
        var shipped = Path.Combine(packages, "torchsharp", torchSharpVersion, "runtimes", "linux-x64", "native", NativeFile);
        var libtorch = LibTorchFolder(packages);
        if (!File.Exists(shipped) || libtorch is null)
        {
            throw new InvalidOperationException(
                $"TorchSharp's native files are not in the NuGet folder {packages} (looked for {shipped} and libtorch-cpu-linux-x64): " +
                $"restore them with #r \"nuget: TorchSharp-cpu, {torchSharpVersion}\", or set NUGET_PACKAGES to the folder that holds them.");
        }

        var cache = CacheFolder(torchSharpVersion, Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(libtorch)))!));
        Directory.CreateDirectory(cache);
        foreach (var file in Directory.GetFiles(libtorch))
        {
            var link = Path.Combine(cache, Path.GetFileName(file));
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, file);
            }
        }

        var library = Path.Combine(cache, NativeFile);
        var patched = PrepareLibrary(shipped, library);
        var cuda = Environment.GetEnvironmentVariable(Devices.LibTorchVariable);
        if (!string.IsNullOrWhiteSpace(cuda))
        {
            // Loaded first, PyTorch's libraries satisfy libLibTorchSharp.so's NEEDED entries by soname.
            foreach (var lib in PyTorchLoadOrder.Select(l => Path.Combine(cuda, l)).Where(File.Exists))
            {
                NativeLibrary.Load(lib);
            }
        }

        _handle = NativeLibrary.Load(library);
        try
        {
            NativeLibrary.SetDllImportResolver(torchSharp, Resolve);
        }
        catch (InvalidOperationException)
        {
            // The host set a resolver already; the library loaded above still matches "libLibTorchSharp.so" by soname.
        }

        var gpu = string.IsNullOrWhiteSpace(cuda) ? "" : Devices.CudaAvailable ? $"; CUDA from {cuda}" : $"; no CUDA device through {cuda}";
        return $"TorchSharp natives: {library} ({(patched ? $"{GlibcxxVersion} marked weak" : "as shipped")}), libtorch from {libtorch}{gpu}.";
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == NativeName ? _handle : IntPtr.Zero;

    // Copies the shipped library into the cache (once) and applies the loader fix where the system needs it.
    private static bool PrepareLibrary(string shipped, string library)
    {
        if (!File.Exists(library) || new FileInfo(library).Length != new FileInfo(shipped).Length)
        {
            var temporary = $"{library}.{Environment.ProcessId}.tmp";
            File.Copy(shipped, temporary, overwrite: true);
            File.Move(temporary, library, overwrite: true);
        }

        var system = LibStdCxxCandidates.FirstOrDefault(File.Exists);
        if (system is null || ElfVersionNeed.Provides(system, GlibcxxVersion))
        {
            return false;
        }

        ElfVersionNeed.Weaken(library, GlibcxxVersion);
        return true;
    }

    // <packages>/torchsharp/<version>/lib/<tfm>/TorchSharp.dll, else NUGET_PACKAGES, else ~/.nuget/packages.
    private static string PackagesFolder(Assembly torchSharp)
    {
        var lib = Path.GetDirectoryName(torchSharp.Location);
        var root = lib is null ? null : Path.GetFullPath(Path.Combine(lib, "..", "..", "..", ".."));
        if (root is not null && Directory.Exists(Path.Combine(root, "torchsharp")))
        {
            return root;
        }

        var configured = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        return !string.IsNullOrWhiteSpace(configured)
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
    }

    private static string? LibTorchFolder(string packages)
    {
        var package = Path.Combine(packages, "libtorch-cpu-linux-x64");
        return !Directory.Exists(package)
            ? null
            : Directory.GetDirectories(package)
                .Select(v => Path.Combine(v, "runtimes", "linux-x64", "native"))
                .Where(d => File.Exists(Path.Combine(d, "libtorch_cpu.so")))
                .OrderByDescending(d => d, StringComparer.Ordinal)
                .FirstOrDefault();
    }

    private static string CacheFolder(string torchSharpVersion, string libtorchVersion)
    {
        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var root = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "interpkernel", $"torchsharp-{torchSharpVersion}-libtorch-cpu-{libtorchVersion}");
    }
}

using InterpKernel;
using Xunit;

namespace InterpKernel.Tests.Core;

/// <summary>
/// The check that decides whether a PyTorch libtorch can serve TorchSharp's native library reads symbols, not version
/// strings. Exercised here with the CPU libtorch the TorchSharp-cpu package copies next to the tests.
/// </summary>
public sealed class LibTorchCompatibilityTests : IDisposable
{
    readonly string _temp = Directory.CreateTempSubdirectory("interpkernel-libtorch-").FullName;

    static string Native => LibTorchCompatibility.FindTorchSharpNative()
        ?? throw new InvalidOperationException("libLibTorchSharp.so is not in the test output.");

    static string ShippedLibTorch
    {
        get
        {
            foreach (var dir in new[] { AppContext.BaseDirectory, Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native") })
                if (File.Exists(Path.Combine(dir, "libtorch_cpu.so"))) return dir;
            throw new InvalidOperationException("libtorch_cpu.so is not in the test output.");
        }
    }

    [Fact]
    public void The_libtorch_TorchSharp_ships_with_defines_every_symbol_its_native_library_needs()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.True(ElfDynamicSymbols.Read(Native).NeededUnversioned.Count > 1000);
        Assert.Empty(LibTorchCompatibility.MissingSymbols(Native, ShippedLibTorch));
    }

    [Fact]
    public void A_folder_without_libtorch_cpu_lacks_symbols()
    {
        if (!OperatingSystem.IsLinux()) return;
        File.CreateSymbolicLink(Path.Combine(_temp, "libc10.so"), Path.Combine(ShippedLibTorch, "libc10.so"));
        var missing = LibTorchCompatibility.MissingSymbols(Native, _temp);
        Assert.True(missing.Count > 500, $"{missing.Count} missing");
        Assert.Contains(missing, s => s.StartsWith("_ZN2at", StringComparison.Ordinal));
    }

    [Fact]
    public void Another_PyTorch_version_with_every_symbol_is_accepted_with_a_warning()
    {
        if (!OperatingSystem.IsLinux()) return;
        string lib = FakeTorchLib("2.11.0+cu130", withCpu: true);
        string? warning = LibTorchCompatibility.Check(lib, Native);
        Assert.NotNull(warning);
        Assert.Contains("2.11.0+cu130", warning);
        Assert.Null(LibTorchCompatibility.Check(FakeTorchLib("2.10.0+cu128", withCpu: true, name: "same"), Native));
    }

    [Fact]
    public void A_libtorch_missing_symbols_is_refused_whatever_its_version()
    {
        if (!OperatingSystem.IsLinux()) return;
        string lib = FakeTorchLib("2.10.0", withCpu: false);
        var e = Assert.Throws<InvalidOperationException>(() => LibTorchCompatibility.Check(lib, Native));
        Assert.Contains("symbol(s) TorchSharp's native library needs", e.Message);
        Assert.Contains(Devices.LibTorchVariable, e.Message);
        Assert.Equal(e.Message, Assert.Throws<InvalidOperationException>(() => LibTorchCompatibility.Check(lib, Native)).Message);
    }

    [Fact]
    public void A_folder_without_a_CUDA_libtorch_is_refused_with_what_to_do()
    {
        var e = Assert.Throws<InvalidOperationException>(() => LibTorchCompatibility.Check(_temp, null));
        Assert.Contains("no libtorch_cuda.so", e.Message);
    }

    [Fact]
    public void A_refused_folder_is_refused_again_on_every_later_call()
    {
        if (!OperatingSystem.IsLinux()) return;
        var preload = new LibTorchPreload(FakeTorchLib("2.11.0", withCpu: false));
        string first = Assert.Throws<InvalidOperationException>(preload.Ensure).Message;
        Assert.Equal(first, Assert.Throws<InvalidOperationException>(preload.Ensure).Message);
        Assert.Contains("symbol(s)", first);
        new LibTorchPreload(null).Ensure(); // no folder named: nothing to load
    }

    /// <summary>A <c>torch/lib</c> look-alike: the shipped CPU libraries linked in, a stand-in libtorch_cuda.so, and a version.py.</summary>
    string FakeTorchLib(string version, bool withCpu, string name = "torch")
    {
        string torch = Path.Combine(_temp, name), lib = Path.Combine(torch, "lib");
        Directory.CreateDirectory(lib);
        File.WriteAllText(Path.Combine(torch, "version.py"), $"__version__ = '{version}'\n");
        var libs = withCpu ? new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" } : new[] { "libc10.so" };
        foreach (var l in libs) File.CreateSymbolicLink(Path.Combine(lib, l), Path.Combine(ShippedLibTorch, l));
        File.CreateSymbolicLink(Path.Combine(lib, "libtorch_cuda.so"), Path.Combine(ShippedLibTorch, "libtorch.so"));
        return lib;
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(_temp, recursive: true);
}

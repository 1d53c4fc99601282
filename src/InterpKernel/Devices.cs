using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// Chooses where tensors live. <c>"cpu"</c> always works; <c>"cuda"</c> (or <c>"cuda:1"</c>) needs a CUDA libtorch:
/// <c>TorchSharp-cuda-windows</c> on Windows, and on Linux the libtorch of an installed PyTorch of the same version
/// as TorchSharp's, named by the environment variable <see cref="LibTorchVariable"/> (its <c>torch/lib</c> folder).
/// </summary>
public static partial class Devices
{
    /// <summary>Environment variable naming a PyTorch <c>torch/lib</c> folder whose CUDA libtorch TorchSharp should use.</summary>
    public const string LibTorchVariable = "INTERPKERNEL_LIBTORCH";

    /// <summary>The libtorch version TorchSharp 0.107 is built against (major.minor must match).</summary>
    public const string LibTorchVersion = "2.10";

    static readonly string[] CudaLoadOrder =
        ["libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so"];
    static bool _preloaded;

    /// <summary>Parses and checks a device name, making the CUDA backend available when one is asked for.</summary>
    public static Device Resolve(string device)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        string d = device.Trim().ToLowerInvariant();
        if (d == "cpu") return CPU;
        var m = CudaName().Match(d);
        if (!m.Success)
            throw new ArgumentException($"Unknown device '{device}': use \"cpu\", \"cuda\" or \"cuda:N\".", nameof(device));
        EnsureCuda();
        int index = m.Groups[1].Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        int count = cuda.device_count();
        if (index >= count)
            throw new ArgumentException($"Device '{device}' does not exist: {count} CUDA device(s) are visible.", nameof(device));
        return new Device(DeviceType.CUDA, index);
    }

    /// <summary>Whether a CUDA backend is loaded and sees at least one GPU.</summary>
    public static bool CudaAvailable
    {
        get
        {
            try
            {
                PreloadPyTorchLibTorch();
                return cuda.is_available();
            }
            catch (Exception e) when (e is DllNotFoundException or InvalidOperationException or TypeInitializationException)
            {
                return false;
            }
        }
    }

    /// <summary>Every device tests and benchmarks should cover here: the CPU, plus <c>cuda</c> where available.</summary>
    public static IReadOnlyList<string> Available => CudaAvailable ? ["cpu", "cuda"] : ["cpu"];

    static void EnsureCuda()
    {
        PreloadPyTorchLibTorch();
        if (cuda.is_available()) return;
        string what = OperatingSystem.IsWindows()
            ? "Reference the TorchSharp-cuda-windows package (same version as TorchSharp) instead of TorchSharp-cpu, and install an NVIDIA driver."
            : $"TorchSharp-cuda-linux is not referenced; point the environment variable {LibTorchVariable} at the torch/lib folder of an installed " +
              $"PyTorch {LibTorchVersion}.x with CUDA (e.g. `export {LibTorchVariable}=$(python3 -c \"import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))\")`) " +
              "before the program starts, or reference TorchSharp-cuda-linux.";
        throw new InvalidOperationException($"device \"cuda\" was asked for, but no CUDA backend is present. {what}");
    }

    /// <summary>
    /// Loads the CUDA libtorch of a PyTorch installation (from <see cref="LibTorchVariable"/>) before TorchSharp loads
    /// its own, so TorchSharp's native layer binds to it. Does nothing when the variable is unset.
    /// </summary>
    internal static void PreloadPyTorchLibTorch()
    {
        if (_preloaded) return;
        _preloaded = true;
        string? dir = Environment.GetEnvironmentVariable(LibTorchVariable);
        if (string.IsNullOrWhiteSpace(dir)) return;
        CheckPyTorchLib(dir);
        foreach (var lib in CudaLoadOrder)
        {
            string path = Path.Combine(dir, lib);
            if (File.Exists(path)) NativeLibrary.Load(path);
        }
        torch.InitializeDeviceType(DeviceType.CUDA);
    }

    /// <summary>Checks that <paramref name="dir"/> is a PyTorch <c>torch/lib</c> folder of the right version.</summary>
    internal static void CheckPyTorchLib(string dir)
    {
        if (!Directory.Exists(dir))
            throw new InvalidOperationException($"{LibTorchVariable} is '{dir}', which is not a folder. Point it at the torch/lib folder of a PyTorch {LibTorchVersion}.x installation.");
        if (!File.Exists(Path.Combine(dir, "libtorch_cuda.so")))
            throw new InvalidOperationException($"{LibTorchVariable} is '{dir}', which holds no libtorch_cuda.so: that PyTorch is not a CUDA build, or the folder is not torch/lib.");
        string versionFile = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dir).TrimEnd('/'))!, "version.py");
        if (File.Exists(versionFile))
        {
            var v = VersionLine().Match(File.ReadAllText(versionFile));
            if (v.Success && !v.Groups[1].Value.StartsWith(LibTorchVersion + ".", StringComparison.Ordinal))
                throw new InvalidOperationException(
                    $"{LibTorchVariable} points at PyTorch {v.Groups[1].Value}, but TorchSharp here needs libtorch {LibTorchVersion}.x: install PyTorch {LibTorchVersion} or point at one.");
        }
    }

    [GeneratedRegex(@"^cuda(?::(\d+))?$")]
    private static partial Regex CudaName();

    [GeneratedRegex(@"__version__\s*=\s*['""]([^'""]+)['""]")]
    private static partial Regex VersionLine();
}

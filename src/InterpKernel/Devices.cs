using System.Text.RegularExpressions;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel;

/// <summary>
/// Chooses where tensors live. <c>"cpu"</c> always works; <c>"cuda"</c> (or <c>"cuda:1"</c>) needs a CUDA libtorch:
/// <c>TorchSharp-cuda-windows</c> on Windows, and on Linux the libtorch of an installed PyTorch whose libraries provide
/// every symbol TorchSharp's native library needs, named by the environment variable <see cref="LibTorchVariable"/>
/// (its <c>torch/lib</c> folder).
/// </summary>
public static partial class Devices
{
    /// <summary>Environment variable naming a PyTorch <c>torch/lib</c> folder whose CUDA libtorch TorchSharp should use.</summary>
    public const string LibTorchVariable = "INTERPKERNEL_LIBTORCH";

    /// <summary>
    /// The libtorch version TorchSharp 0.107 is built against. Another version is accepted (with a warning in
    /// <see cref="LibTorchWarning"/>) when its libraries define every symbol TorchSharp's native library needs.
    /// </summary>
    public const string LibTorchVersion = "2.10";


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
              $"PyTorch with CUDA (e.g. `export {LibTorchVariable}=$(python3 -c \"import torch, os; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))\")`) " +
              "before the program starts, or reference TorchSharp-cuda-linux.";
        throw new InvalidOperationException($"device \"cuda\" was asked for, but no CUDA backend is present. {what}");
    }

    static readonly Lazy<LibTorchPreload> Preload = new(() => new LibTorchPreload(Environment.GetEnvironmentVariable(LibTorchVariable)));

    /// <summary>
    /// Loads the CUDA libtorch of a PyTorch installation (from <see cref="LibTorchVariable"/>) before TorchSharp loads
    /// its own, so TorchSharp's native layer binds to it. Does nothing when the variable is unset. The folder is checked
    /// once (every symbol TorchSharp's native library needs must be there); the outcome, a refusal included, is the same
    /// on every later call.
    /// </summary>
    internal static void PreloadPyTorchLibTorch() => Preload.Value.Ensure();

    /// <summary>A note about the libtorch in use (another PyTorch version than TorchSharp's), or <c>null</c>.</summary>
    public static string? LibTorchWarning => Preload.IsValueCreated ? Preload.Value.Warning : null;

    [GeneratedRegex(@"^cuda(?::(\d+))?$")]
    private static partial Regex CudaName();

}

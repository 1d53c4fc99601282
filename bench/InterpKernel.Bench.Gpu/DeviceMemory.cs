using System.Runtime.InteropServices;

namespace InterpKernel.Bench.Gpu;

/// <summary>
/// Device memory in use, from the CUDA driver (<c>cuMemGetInfo</c>: total minus free). TorchSharp exposes no allocator
/// statistics, so allocated bytes are measured with PyTorch's caching allocator switched off
/// (<c>PYTORCH_NO_CUDA_MEMORY_CACHING=1</c>): every tensor is then its own cudaMalloc, and memory in use is what is
/// allocated plus the fixed cost of the context, which a reading before the model exists subtracts.
/// </summary>
internal static partial class DeviceMemory
{
    [LibraryImport("libcuda.so.1", EntryPoint = "cuMemGetInfo_v2")]
    private static partial int CuMemGetInfo(out nuint free, out nuint total);

    /// <summary>Bytes in use on the current device, or -1 when the driver cannot say.</summary>
    public static long InUse()
    {
        try
        {
            return CuMemGetInfo(out var free, out var total) == 0 ? (long)(total - free) : -1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return -1;
        }
    }

    /// <summary>Whether the caching allocator is off, so that <see cref="InUse"/> tracks allocated bytes.</summary>
    public static bool CachingOff => Environment.GetEnvironmentVariable("PYTORCH_NO_CUDA_MEMORY_CACHING") == "1";
}

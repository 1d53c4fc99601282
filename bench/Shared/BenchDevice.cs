using System.Globalization;
using InterpKernel;
using static TorchSharp.torch;

namespace InterpKernel.Bench;

/// <summary>
/// The <c>--device</c> (cpu, cuda, cuda:N) and <c>--dtype</c> (float32, float16, bfloat16) every benchmark takes, and a
/// device synchronisation so that timings on a GPU include the work, not just its launch. Linked into each bench project.
/// </summary>
internal sealed record BenchDevice(string Name, ScalarType? Dtype)
{
    /// <summary>Reads <c>--device</c> and <c>--dtype</c> from <paramref name="args"/> (defaults: cpu, the model's own dtype).</summary>
    public static BenchDevice Parse(string[] args)
    {
        string? Option(string name)
        {
            int i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        var dtype = Option("--dtype")?.ToLowerInvariant() switch
        {
            null => (ScalarType?)null,
            "float32" or "fp32" => ScalarType.Float32,
            "float16" or "fp16" or "half" => ScalarType.Float16,
            "bfloat16" or "bf16" => ScalarType.BFloat16,
            var other => throw new ArgumentException($"--dtype {other} is not one of float32, float16, bfloat16."),
        };
        var bench = new BenchDevice(Option("--device") ?? "cpu", dtype);
        // Resolved before any tensor exists, so that a CUDA libtorch named by INTERPKERNEL_LIBTORCH is the one bound.
        bench.Device = Devices.Resolve(bench.Name);
        return bench;
    }

    /// <summary>The resolved device.</summary>
    public Device Device { get; private set; } = CPU;

    /// <summary>Whether the benchmark runs on a GPU.</summary>
    public bool IsCuda => Device.type == TorchSharp.DeviceType.CUDA;

    /// <summary>"cuda, BFloat16" style label for report headers.</summary>
    public string Label => Dtype is { } d ? $"{Name}, {d}" : Name;

    /// <summary>Waits for the device's queued work (a no-op on the CPU).</summary>
    public void Sync()
    {
        if (IsCuda) cuda.synchronize();
    }

    /// <summary>Arguments that pass this device and dtype on to a child process.</summary>
    public string[] ToArgs() => Dtype is { } d
        ? ["--device", Name, "--dtype", d.ToString().ToLower(CultureInfo.InvariantCulture)]
        : ["--device", Name];
}

// The GPU bench: CPU against device parity on the embedded model, float16/bfloat16 runs, timings that
// bench/gpu/hf_baseline.py repeats with Hugging Face transformers, and a Llama-3-8B-shaped model.
// Usage: InterpKernel.Bench.Gpu [--device cuda] [--dtype bfloat16] [--only parity,kjv,llama] [--small] [--memory]
//                               [--runs N] [--model models/kjv-gpt2-2l] [--json results.json]
// Prints a markdown section to stdout, progress to stderr. --small uses a small model of the Llama wiring (for a check on
// the CPU); --memory measures peak allocated memory (run it with PYTORCH_NO_CUDA_MEMORY_CACHING=1, in its own process).
using System.Globalization;
using InterpKernel;
using InterpKernel.Bench.Gpu;
using static TorchSharp.torch;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string device = Option("--device") ?? "cuda";
var dtype = Option("--dtype") switch
{
    null or "bfloat16" or "bf16" => ScalarType.BFloat16,
    "float16" or "fp16" or "half" => ScalarType.Float16,
    "float32" or "fp32" => ScalarType.Float32,
    var other => throw new ArgumentException($"--dtype {other} is not one of float32, float16, bfloat16."),
};
var only = (Option("--only") ?? "parity,kjv,llama").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
int runs = int.Parse(Option("--runs") ?? "10", CultureInfo.InvariantCulture);
bool small = args.Contains("--small"), memory = args.Contains("--memory");
string model = Option("--model") ?? FindModel();

// The device is resolved before any tensor exists, so that TorchSharp binds to the libtorch INTERPKERNEL_LIBTORCH names.
var dev = Devices.Resolve(device);
if (dev.type == TorchSharp.DeviceType.CPU && Environment.GetEnvironmentVariable("BENCH_THREADS") is { } threads)
    set_num_threads(int.Parse(threads, CultureInfo.InvariantCulture));
var results = new Results();
if (Devices.LibTorchWarning is { } warning) results.Note("libtorch: " + warning);
if (memory)
{
    LlamaShape.Run(device, dtype, !small, runs, memory: true, results);
}
else
{
    if (only.Contains("parity")) Parity.Run(model, device, results);
    // The embedded model runs in float32 unless float16 is asked for: bfloat16 is too coarse for its small logits.
    if (only.Contains("kjv")) KjvSpeed.Run(model, device, dtype == ScalarType.BFloat16 ? ScalarType.Float32 : dtype, runs, results);
    if (only.Contains("llama")) LlamaShape.Run(device, dtype, !small, runs, memory: false, results);
}
Console.WriteLine($"## InterpKernel on {device} ({dtype}{(small ? ", small Llama-shaped model" : "")})");
Console.WriteLine();
Console.Write(results.ToMarkdown());
if (Option("--json") is { } json) File.WriteAllText(json, results.ToJson());
return results.AllPassed ? 0 : 1;

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string FindModel()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        string candidate = Path.Combine(dir.FullName, "models", "kjv-gpt2-2l");
        if (File.Exists(Path.Combine(candidate, "config.json"))) return candidate;
    }
    string here = Path.Combine(Directory.GetCurrentDirectory(), "models", "kjv-gpt2-2l");
    return File.Exists(Path.Combine(here, "config.json")) ? here
        : throw new DirectoryNotFoundException("models/kjv-gpt2-2l was not found above the program or the current folder: pass --model FOLDER.");
}

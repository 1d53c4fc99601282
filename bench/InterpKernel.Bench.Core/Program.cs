using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using InterpKernel.Bench;
using InterpKernel.Bench.Core;
using static TorchSharp.torch;

// Each case runs in its own child process so that its peak RSS (VmHWM, which cannot be reset) is its own.
// No arguments: run every case and print a markdown section. "--case NAME --batch B --runs N" or
// "--load FOLDER --runs N": run one case and print its measurement as one JSON line. "--device cuda --dtype bfloat16"
// runs the transformer cases on that device and dtype (loading stays on the CPU).
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
int threads = int.TryParse(Environment.GetEnvironmentVariable("BENCH_THREADS"), out var t) ? t : Environment.ProcessorCount;
bool quick = args.Contains("--quick");
var bench = BenchDevice.Parse(args);
// "--only forward,loading" runs just those cases (names as in the plan below, "loading" for the loading bench).
var only = Option("--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();

if (args.Length >= 2 && args[0] is "--case" or "--load")
{
    set_num_threads(threads);
    int runs = int.Parse(Option("--runs") ?? "3", CultureInfo.InvariantCulture);
    string json = args[0] == "--case"
        ? JsonSerializer.Serialize(args[1] == "gemm" ? Gemm(bench, runs) : TransformerCases.Run(args[1], int.Parse(Option("--batch") ?? "1", CultureInfo.InvariantCulture), runs, bench))
        : JsonSerializer.Serialize(LoadingCase.Run(args[1], runs));
    Console.WriteLine(json);
    return 0;
}

var report = new CoreReport(threads, Baseline.Read(bench.IsCuda ? null : Environment.GetEnvironmentVariable("BENCH_PYTORCH_JSON")), bench.Label);
// (case, batch, runs): runs chosen so the whole bench takes a few minutes on 2 cores.
(string Case, int Batch, int Runs)[] plan =
[
    ("gemm", 0, 10),
    ("forward", 1, 7), ("run-with-cache", 1, 7), ("generate-kv", 1, 3), ("generate-full", 1, 2),
    ("forward", 8, 3), ("run-with-cache", 8, 3), ("generate-kv", 8, 2), ("generate-full", 8, 1),
];
foreach (var (name, batch, runs) in plan)
{
    if (only is not null && !only.Contains(name)) continue;
    int r = quick ? 1 : runs;
    Console.Error.WriteLine($"core bench: {name} batch {batch}, {r} runs");
    var outcome = Child<Measurement>(["--case", name, "--batch", batch.ToString(CultureInfo.InvariantCulture), "--runs", r.ToString(CultureInfo.InvariantCulture), .. bench.ToArgs()]);
    report.Add(name, batch, outcome);
}

string folder = only is not null && !only.Contains("loading") ? "" : Path.Combine(Path.GetTempPath(), $"interpkernel-bench-gpt2-{Environment.ProcessId}");
try
{
    if (folder.Length == 0) throw new InvalidOperationException("not run (--only left it out)");
    Console.Error.WriteLine($"core bench: writing a GPT-2 checkpoint into {folder}");
    long parameters = Gpt2Checkpoint.Write(folder);
    Console.Error.WriteLine("core bench: loading it");
    report.Loading(parameters, Child<LoadMeasurement>(["--load", folder, "--runs", quick ? "1" : "5"]));
}
catch (Exception e)
{
    report.LoadingFailed(e.Message);
}
finally
{
    if (folder.Length > 0 && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
}
Console.Write(report.ToMarkdown());
return 0;

string? Option(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static Measurement Gemm(BenchDevice bench, int runs)
{
    using var _ = no_grad();
    var dtype = bench.Dtype ?? ScalarType.Float32;
    using var a = randn([1024, 768], dtype, bench.Device);
    using var b = randn([768, 3072], dtype, bench.Device);
    return Measurement.Time("gemm", 0, runs, ProcessMemory.CurrentMiB(), () => { using var c = a.matmul(b); bench.Sync(); });
}

static Outcome<T> Child<T>(string[] childArgs)
{
    string self = Environment.ProcessPath ?? throw new InvalidOperationException("The bench cannot find its own executable.");
    var info = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardOutput = true };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(typeof(Measurement).Assembly.Location);
    foreach (var a in childArgs) info.ArgumentList.Add(a);
    try
    {
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {self}.");
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        string? last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (process.ExitCode != 0 || last is null || !last.StartsWith('{'))
            return new Outcome<T>(default, $"exit code {process.ExitCode}, output: {output.Trim()}");
        return new Outcome<T>(JsonSerializer.Deserialize<T>(last), null);
    }
    catch (Exception e)
    {
        return new Outcome<T>(default, e.Message);
    }
}

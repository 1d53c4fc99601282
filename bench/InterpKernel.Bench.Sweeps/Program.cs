// Times a neuron-scan sweep three ways: one process (sweep run), four shard processes side by side plus the merge,
// and a 4-task Slurm array plus its merge job (when sinfo reaches a cluster, e.g. one started by build/slurm.sh start),
// and checks that the merged results equal the single run.
// Usage: dotnet run -c Release --project bench/InterpKernel.Bench.Sweeps -- [--mb 4] [--tasks 4]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

int megabytes = 4, tasks = 4;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    if (args[i] == "--mb") megabytes = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    else if (args[i] == "--tasks") tasks = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
}
string root = RepoRoot();
string kernel = Path.Combine(AppContext.BaseDirectory, "interp-kernel.dll");
string work = Path.Combine(Path.GetTempPath(), $"interpkernel-bench-sweeps-{Environment.ProcessId}");
Directory.CreateDirectory(work);
try
{
    string text = Path.Combine(work, "corpus.txt");
    using (var writer = new StreamWriter(text))
    {
        var corpus = Directory.GetFiles(Path.Combine(root, "data", "text"), "*.txt").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
        long written = 0;
        for (int i = 0; written < megabytes * 1_000_000L; i++)
        {
            writer.Write(corpus[i % corpus.Length]);
            written += corpus[i % corpus.Length].Length;
        }
    }
    string spec = Path.Combine(work, "scan.json");
    File.WriteAllText(spec, $$"""
        { "model": { "path": {{Json(Path.Combine(root, "models", "kjv-gpt2-2l"))}} }, "analysis": "neuron-scan",
          "inputs": { "text": [{{Json(text)}}] },
          "options": { "layer": 1, "neurons": [0, 1, 2, 3], "histogramRange": [-0.5, 5], "topK": 20 } }
        """);
    string load = File.ReadAllText("/proc/loadavg").Split(' ')[0];

    double single = Time(() => Run("sweep", "run", spec, "--out", Path.Combine(work, "one")));
    var reference = Result(Path.Combine(work, "one"));

    string parallel = Path.Combine(work, "processes");
    double processes = Time(() =>
    {
        var running = Enumerable.Range(0, tasks).Select(i => Start("sweep", "shard", spec, "--index", $"{i}", "--count", $"{tasks}", "--out", parallel)).ToList();
        foreach (var p in running) Finish(p);
        Run("sweep", "merge", parallel);
    });
    Check(reference, Result(parallel));

    string? why = SlurmUnavailable();
    double? slurm = null;
    if (why is null)
    {
        string array = Path.Combine(work, "slurm");
        slurm = Time(() =>
        {
            Run("sweep", "submit", spec, "--slurm", "--tasks", $"{tasks}", "--out", array);
            while (!File.Exists(Path.Combine(array, "result.json"))) Thread.Sleep(200);
        });
        Check(reference, Result(array));
    }

    var units = reference["units"]!.GetValue<int>();
    long tokens = reference["checkpoints"]![0]!["result"]!["tokens"]!.GetValue<long>();
    Console.WriteLine("## Sweeps: a neuron scan as one process and as 4 tasks");
    Console.WriteLine();
    Console.WriteLine($"Neuron scan of 4 neurons of kjv-gpt2-2l over {megabytes} MB of text ({tokens:N0} tokens, {units} units of 64 KiB) on this machine's " +
                      $"{Environment.ProcessorCount} cores (load average {load} when it started). Wall time from the first command to `result.json`, " +
                      "each task a fresh `interp-kernel` process (start-up and model load included); every merged result was checked against the single run " +
                      "(same counts, histograms and top-20 examples, means within 1e-9 relative).");
    Console.WriteLine();
    Console.WriteLine("| how | seconds | speed-up |");
    Console.WriteLine("| --- | ---: | ---: |");
    Console.WriteLine($"| `sweep run` (one process) | {single:0.0} | 1.00 |");
    Console.WriteLine($"| {tasks} × `sweep shard` side by side, then `sweep merge` | {processes:0.0} | {single / processes:0.00} |");
    Console.WriteLine(slurm is { } s
        ? $"| Slurm array of {tasks} tasks (`sweep submit --slurm`) and its merge job | {s:0.0} | {single / s:0.00} |"
        : $"| Slurm array of {tasks} tasks | not run: {why} | |");
    Console.WriteLine();
    Console.WriteLine($"On a one-node cluster with {Environment.ProcessorCount} CPUs Slurm runs {Math.Min(tasks, Environment.ProcessorCount)} one-CPU tasks at a time. " +
                      "With N GPUs, the same spec with `\"device\": \"cuda\"` runs as `--tasks N --gpus-per-task 1`: each task sees one GPU and scans 1/N of the units.");
}
finally
{
    Directory.Delete(work, recursive: true);
}

string RepoRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "InterpKernel.sln"))) return d.FullName;
    throw new DirectoryNotFoundException("Run the bench from inside the repository.");
}

string Json(string s) => System.Text.Json.JsonSerializer.Serialize(s);

double Time(Action action)
{
    var clock = Stopwatch.StartNew();
    action();
    return clock.Elapsed.TotalSeconds;
}

Process Start(params string[] arguments)
{
    var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
    start.ArgumentList.Add(kernel);
    foreach (var a in arguments) start.ArgumentList.Add(a);
    var p = Process.Start(start)!;
    p.OutputDataReceived += (_, _) => { };
    p.BeginOutputReadLine();
    return p;
}

void Finish(Process p)
{
    string error = p.StandardError.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"interp-kernel failed ({p.ExitCode}): {error}");
}

void Run(params string[] arguments) => Finish(Start(arguments));

JsonObject Result(string folder) => JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "result.json")))!.AsObject();

void Check(JsonObject expected, JsonObject actual)
{
    var e = expected["checkpoints"]![0]!["result"]!["sites"]!.AsArray();
    var a = actual["checkpoints"]![0]!["result"]!["sites"]!.AsArray();
    for (int i = 0; i < e.Count; i++)
    {
        var (se, sa) = (e[i]!["statistics"]!, a[i]!["statistics"]!);
        double me = se["mean"]!.GetValue<double>(), ma = sa["mean"]!.GetValue<double>();
        if (se["count"]!.GetValue<long>() != sa["count"]!.GetValue<long>() || Math.Abs(me - ma) > 1e-9 * Math.Abs(me)
            || se["histogram"]!.ToJsonString() != sa["histogram"]!.ToJsonString()
            || e[i]!["topExamples"]!.ToJsonString() != a[i]!["topExamples"]!.ToJsonString())
            throw new InvalidOperationException($"The merged result differs from the single run at site {i}.");
    }
}

string? SlurmUnavailable()
{
    if (Environment.GetEnvironmentVariable("SLURM_CONF") is null && File.Exists("/tmp/interpkernel-slurm/slurm.conf"))
        Environment.SetEnvironmentVariable("SLURM_CONF", "/tmp/interpkernel-slurm/slurm.conf");
    try
    {
        using var p = Process.Start(new ProcessStartInfo("sinfo", "-h -o %t") { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0 && output.Contains("idle", StringComparison.Ordinal) ? null : "no idle Slurm node (start one with bash build/slurm.sh start)";
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "Slurm is not installed (bash build/slurm.sh start installs and starts it)";
    }
}

// Scans a text file of a given size for one MLP neuron's statistics and top examples, and reports throughput and
// memory, to show that the scan streams: peak memory should not grow with the file size.
// Usage: dotnet run -c Release --project bench/InterpKernel.Bench.Neurons -- [--mb 5] [--neuron 17] [--batch 8] [--device cuda] [--dtype float16]
using System.Diagnostics;
using InterpKernel;
using InterpKernel.Bench;
using InterpKernel.Analysis;
using TorchSharp;

var bench = BenchDevice.Parse(args);
var options = Options.Parse(args);
string root = Options.RepoRoot();
var corpus = Directory.GetFiles(Path.Combine(root, "data", "text"), "*.txt").OrderBy(f => f, StringComparer.Ordinal).ToArray();
using var model = HookedTransformer.FromPretrained(Path.Combine(root, "models", "kjv-gpt2-2l"), bench.Name, bench.Dtype);
var site = ActivationSite.Neuron(1, options.Neuron);
var scanOptions = new ScanOptions { BatchSize = options.Batch, TopK = 20, Window = 8 };

// Warm up code paths and the allocator on a small file so the first measured batch is not an outlier.
string small = TextFile.Build(corpus, 0.25);
string large = TextFile.Build(corpus, options.Megabytes);
try
{
    ActivationScan.Run(model, site, TokenSource.FromTextFile(model, small), scanOptions with { MaxTokens = 20_000 });
    var rows = new List<Measurement>();
    foreach (var (label, path) in new[] { ("1/4 MB", small), ($"{options.Megabytes:0.##} MB", large) })
        rows.Add(Measurement.Run(label, path, () => ActivationScan.Run(model, site, TokenSource.FromTextFile(model, path), scanOptions)));

    Console.WriteLine("## Neuron scan of a text file (streaming statistics + top-k examples)");
    Console.WriteLine();
    Console.WriteLine($"Model kjv-gpt2-2l ({bench.Label}) with {Environment.ProcessorCount} CPU cores, site `{site}`, batches of {options.Batch} chunks of up to n_ctx = {model.Config.NCtx} tokens; " +
                      $"text built by repeating data/text/*.txt. Peaks are sampled every 20 ms during the scan.");
    Console.WriteLine();
    Console.WriteLine("| file | tokens | seconds | tokens/s | peak working set (MB) | peak GC heap (MB) | live tensors after |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    foreach (var r in rows)
        Console.WriteLine($"| {r.Label} ({r.FileBytes / 1e6:0.00} MB) | {r.Tokens:N0} | {r.Seconds:0.0} | {r.Tokens / r.Seconds:N0} | {r.PeakWorkingSet / 1e6:0} | {r.PeakGcHeap / 1e6:0.0} | {r.LiveTensorsAfter} (before {r.LiveTensorsBefore}) |");
    var last = rows[^1].Result;
    Console.WriteLine();
    Console.WriteLine($"Neuron statistics over the large file: mean {last.Statistics.Mean:0.0000}, std {last.Statistics.Std:0.0000}, " +
                      $"fraction active {last.Statistics.FractionActive:0.0000}, max {last.Statistics.Max:0.000}; top example: `{last.TopExamples[0].Marked.ReplaceLineEndings(" ")}`");
}
finally
{
    File.Delete(small);
    File.Delete(large);
}

sealed record Options(double Megabytes, int Neuron, int Batch)
{
    public static Options Parse(string[] args)
    {
        var o = new Options(5, 17, 8);
        for (int i = 0; i + 1 < args.Length; i += 2)
            o = args[i] switch
            {
                "--mb" => o with { Megabytes = double.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) },
                "--neuron" => o with { Neuron = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) },
                "--batch" => o with { Batch = int.Parse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture) },
                "--device" or "--dtype" => o, // read by BenchDevice
                _ => throw new ArgumentException($"Unknown option '{args[i]}': use --mb, --neuron, --batch, --device or --dtype."),
            };
        return o;
    }

    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "InterpKernel.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("Run the benchmark from inside the repository (no InterpKernel.sln found above the binaries).");
    }
}

static class TextFile
{
    /// <summary>A temporary file of at least <paramref name="megabytes"/> MB made by repeating the corpus files.</summary>
    public static string Build(string[] corpus, double megabytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"neuron-scan-{Guid.NewGuid():N}.txt");
        long target = (long)(megabytes * 1_000_000);
        using var writer = new StreamWriter(path);
        long written = 0;
        while (written < target)
            foreach (var file in corpus)
            {
                foreach (var line in File.ReadLines(file))
                {
                    writer.WriteLine(line);
                    written += line.Length + 1;
                    if (written >= target) return Close(writer, path);
                }
            }
        return Close(writer, path);
    }

    static string Close(StreamWriter writer, string path)
    {
        writer.Flush();
        return path;
    }
}

sealed record Measurement(string Label, long FileBytes, long Tokens, double Seconds, long PeakWorkingSet, long PeakGcHeap,
                          long LiveTensorsBefore, long LiveTensorsAfter, ActivationScanResult Result)
{
    public static Measurement Run(string label, string path, Func<ActivationScanResult> scan)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var process = Process.GetCurrentProcess();
        long peakWs = 0, peakHeap = 0;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peakWs = Math.Max(peakWs, process.WorkingSet64);
                peakHeap = Math.Max(peakHeap, GC.GetTotalMemory(false));
                try { await Task.Delay(20, stop.Token); } catch (TaskCanceledException) { }
            }
        });
        var watch = Stopwatch.StartNew();
        var result = scan();
        watch.Stop();
        stop.Cancel();
        sampler.Wait();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        return new Measurement(label, new FileInfo(path).Length, result.Tokens, watch.Elapsed.TotalSeconds, peakWs, peakHeap, liveBefore, liveAfter, result);
    }
}

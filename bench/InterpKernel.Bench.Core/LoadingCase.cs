using System.Diagnostics;
using InterpKernel.Loading;
using static TorchSharp.torch;

namespace InterpKernel.Bench.Core;

/// <summary>What loading one checkpoint folder cost, against reading its file with <c>cat</c>.</summary>
sealed record LoadMeasurement(
    int Runs, long FileBytes, double CatMs, double ReaderMs, double LoadMs, double LoadTouchMs, double LoadReadMs,
    double ProcessedMs, double ProcessedReadMs, double PeakMiB);

/// <summary>Times FromPretrained on a warm page cache against <c>cat model.safetensors &gt; /dev/null</c>.</summary>
static class LoadingCase
{
    public static LoadMeasurement Run(string folder, int runs)
    {
        string file = Path.Combine(folder, CheckpointReader.SingleFileName);
        long bytes = new FileInfo(file).Length;
        var mapped = new LoadOptions { Dtype = ScalarType.Float32, ProcessWeights = false };
        var read = mapped with { MemoryMap = false };
        // The first of each is a warm-up that also fills the page cache.
        double cat = Median(runs, () => Cat(file));
        double reader = Median(runs, () =>
        {
            using var r = CheckpointReader.Open(folder);
            foreach (var name in r.Names)
                using (r.Load(name, ScalarType.Float32)) { }
        });
        double load = Median(runs, () =>
        {
            using var model = HookedTransformer.FromPretrained(folder, mapped);
        });
        double touch = Median(runs, () =>
        {
            using var model = HookedTransformer.FromPretrained(folder, mapped);
            TouchEveryWeight(model);
        });
        double loadRead = Median(runs, () =>
        {
            using var model = HookedTransformer.FromPretrained(folder, read);
        });
        double processed = Median(runs, () =>
        {
            using var model = HookedTransformer.FromPretrained(folder, mapped with { ProcessWeights = true });
        });
        double processedRead = Median(runs, () =>
        {
            using var model = HookedTransformer.FromPretrained(folder, read with { ProcessWeights = true });
        });
        return new LoadMeasurement(runs, bytes, cat, reader, load, touch, loadRead, processed, processedRead, ProcessMemory.PeakMiB());
    }

    /// <summary>
    /// Reads every byte of every weight (a sum per parameter), so that a memory-mapped model has faulted in all its
    /// pages, as <c>cat</c> reads all of the file.
    /// </summary>
    static void TouchEveryWeight(HookedTransformer model)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var p in model.parameters())
            p.sum().item<float>();
    }

    static double Median(int runs, Action action)
    {
        action();
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        return Measurement.Median(times);
    }

    static void Cat(string file)
    {
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("cat \"$0\" > /dev/null");
        info.ArgumentList.Add(file);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start /bin/sh to run cat.");
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"cat {file} failed with exit code {process.ExitCode}.");
    }
}

using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// Streams a <see cref="TokenSource"/> through the model and summarises one activation: its distribution
/// (<see cref="RunningStatistics"/>) and its top-k activating examples (<see cref="TopExampleCollector"/>), in one pass
/// and in memory bounded by one batch, however large the source.
/// </summary>
/// <example>
/// <code>
/// var result = ActivationScan.Run(model, ActivationSite.Neuron(1, 17), TokenSource.FromTextFile(model, "data/text/genesis.txt"));
/// Console.WriteLine(result.Statistics.Mean);
/// foreach (var e in result.TopExamples) Console.WriteLine($"{e.Activation:F2} {e.Marked}");
/// </code>
/// </example>
public static class ActivationScan
{
    /// <summary>Statistics and top examples of <paramref name="site"/> over <paramref name="source"/>.</summary>
    public static ActivationScanResult Run(HookedTransformer model, ActivationSite site, TokenSource source, ScanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(source);
        var o = options ?? new ScanOptions();
        var stats = new RunningStatistics(o.Bins, o.HistogramRange, o.ReservoirSize, o.RangeSample, o.ActiveThreshold, o.Seed);
        var top = new TopExampleCollector(o.TopK, o.Window);
        long tokens = 0;
        foreach (var (batch, chunks) in source.Batches(model, o.BatchSize))
        {
            float[] values;
            long width = batch.shape[1];
            using (batch)
            {
                var captured = ActivationCapture.Run(model, batch, [site.HookName], (_, act) => site.Select(act));
                using var cpu = captured[0].cpu();
                captured[0].Dispose();
                values = cpu.data<float>().ToArray(); // [batch * pos]
            }
            foreach (var (row, pos) in ActivationCapture.Positions(chunks, o.IncludeBos))
            {
                float v = values[row * width + pos];
                stats.Add(v);
                top.Offer(v, chunks[row], pos, values.AsSpan((int)(row * width), (int)width));
                if (++tokens == o.MaxTokens) break;
            }
            if (tokens == o.MaxTokens) break;
        }
        if (tokens == 0) throw new ArgumentException($"{source.Description} holds no tokens to summarise.", nameof(source));
        return new ActivationScanResult(site, stats.Summary(), top.Results(model), tokens);
    }

    /// <summary>The distribution of <paramref name="site"/> over <paramref name="source"/>.</summary>
    public static ActivationStatistics Statistics(HookedTransformer model, ActivationSite site, TokenSource source, ScanOptions? options = null) =>
        Run(model, site, source, options).Statistics;

    /// <summary>The <paramref name="k"/> strongest activating tokens with <paramref name="window"/> tokens of context each side.</summary>
    public static IReadOnlyList<ActivatingExample> TopExamples(HookedTransformer model, ActivationSite site, TokenSource source, int k = 20, int window = 10) =>
        Run(model, site, source, new ScanOptions { TopK = k, Window = window }).TopExamples;

    /// <summary>
    /// The distributions of <paramref name="site"/> over two token sources (e.g. safe vs harmful requests), with
    /// histograms over one shared range so they can be overlaid. Without <see cref="ScanOptions.HistogramRange"/> each
    /// source is scanned twice: once to find the joint min and max, once to count.
    /// </summary>
    public static DistributionComparison Compare(HookedTransformer model, ActivationSite site, TokenSource first, TokenSource second, ScanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var o = options ?? new ScanOptions();
        if (o.HistogramRange is null)
        {
            var a = Run(model, site, first, o with { TopK = 1 }).Statistics;
            var b = Run(model, site, second, o with { TopK = 1 }).Statistics;
            double lo = Math.Min(a.Min, b.Min), hi = Math.Max(a.Max, b.Max);
            if (hi <= lo) { lo -= 0.5; hi += 0.5; }
            o = o with { HistogramRange = (lo, hi) };
        }
        var ra = Run(model, site, first, o);
        var rb = Run(model, site, second, o);
        return DistributionComparison.From(ra, rb);
    }
}

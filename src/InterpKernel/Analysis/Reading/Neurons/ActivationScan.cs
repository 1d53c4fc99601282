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
        var stats = NewStatistics(o);
        var top = NewCollector(o);
        long tokens = Accumulate(model, [site], source, o, [stats], [top]);
        if (tokens == 0) throw new ArgumentException($"{source.Description} holds no tokens to summarise.", nameof(source));
        return new ActivationScanResult(site, stats.Summary(), top.Results(model), tokens);
    }

    /// <summary>
    /// Streams <paramref name="source"/> once and adds the values of every site to its statistics and top examples
    /// (parallel lists, one entry per site). Returns the tokens summarised, at most <see cref="ScanOptions.MaxTokens"/>.
    /// Accumulators filled from separate sources merge (<see cref="RunningStatistics.Merge"/>,
    /// <see cref="TopExampleCollector.Merge"/>) into what one pass over both sources gives.
    /// </summary>
    public static long Accumulate(HookedTransformer model, IReadOnlyList<ActivationSite> sites, TokenSource source, ScanOptions options,
                                  IReadOnlyList<RunningStatistics> statistics, IReadOnlyList<TopExampleCollector> top)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sites);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        if (sites.Count == 0) throw new ArgumentException("Give at least one site to scan.", nameof(sites));
        if (statistics.Count != sites.Count || top.Count != sites.Count)
            throw new ArgumentException($"Give one statistics and one collector per site: {sites.Count} sites, {statistics.Count} statistics, {top.Count} collectors.", nameof(statistics));
        long tokens = 0;
        var names = sites.Select(s => s.HookName).ToArray();
        foreach (var (batch, chunks) in source.Batches(model, options.BatchSize))
        {
            var values = new float[sites.Count][];
            long width = batch.shape[1];
            using (batch)
            {
                var captured = ActivationCapture.Run(model, batch, names, (i, act) => sites[i].Select(act));
                for (int i = 0; i < captured.Length; i++)
                {
                    using var cpu = captured[i].cpu();
                    captured[i].Dispose();
                    values[i] = cpu.data<float>().ToArray(); // [batch * pos]
                }
            }
            foreach (var (row, pos) in TokenChunkPositions.Of(chunks, options.IncludeBos))
            {
                for (int i = 0; i < sites.Count; i++)
                {
                    float v = values[i][row * width + pos];
                    statistics[i].Add(v);
                    top[i].Offer(v, chunks[row], pos, values[i].AsSpan((int)(row * width), (int)width));
                }
                if (++tokens == options.MaxTokens) return tokens;
            }
        }
        return tokens;
    }

    /// <summary>Empty statistics configured as <paramref name="options"/> say.</summary>
    public static RunningStatistics NewStatistics(ScanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RunningStatistics(options.Bins, options.HistogramRange, options.ReservoirSize, options.RangeSample, options.ActiveThreshold, options.Seed);
    }

    /// <summary>An empty top-example collector configured as <paramref name="options"/> say.</summary>
    public static TopExampleCollector NewCollector(ScanOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new TopExampleCollector(options.TopK, options.Window);
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

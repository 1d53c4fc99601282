using InterpKernel.Analysis;
using Xunit;

namespace InterpKernel.Tests.Reading;

public class RunningStatisticsTests
{
    static double[] Values(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 4 - 1).ToArray();
    }

    static double ExactQuantile(double[] values, double p)
    {
        var s = values.OrderBy(v => v).ToArray();
        double at = p * (s.Length - 1);
        int lo = (int)Math.Floor(at), hi = Math.Min(s.Length - 1, lo + 1);
        return s[lo] + (at - lo) * (s[hi] - s[lo]);
    }

    [Fact]
    public void Welford_mean_and_sample_std_match_the_two_pass_formulas()
    {
        var values = Values(5000, 1).Select(v => v + 1e6).ToArray(); // a large offset would ruin the naive formula
        var stats = new RunningStatistics();
        foreach (var v in values) stats.Add(v);
        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        Assert.Equal(5000, stats.Count);
        Assert.Equal(mean, stats.Mean, 6);
        Assert.Equal(std, stats.Std, 6);
        Assert.Equal(values.Min(), stats.Min);
        Assert.Equal(values.Max(), stats.Max);
    }

    [Fact]
    public void Quantiles_are_exact_below_the_reservoir_size_and_close_above_it()
    {
        var values = Values(3000, 2);
        var exact = new RunningStatistics(reservoirSize: 5000);
        var sampled = new RunningStatistics(reservoirSize: 1000, seed: 4);
        foreach (var v in values) { exact.Add(v); sampled.Add(v); }
        Assert.True(exact.QuantilesExact);
        Assert.False(sampled.QuantilesExact);
        foreach (var p in new[] { 0.0, 0.1, 0.5, 0.9, 1.0 })
        {
            Assert.Equal(ExactQuantile(values, p), exact.Quantile(p), 12);
            Assert.InRange(sampled.Quantile(p), ExactQuantile(values, p) - 0.2, ExactQuantile(values, p) + 0.2);
        }
    }

    [Fact]
    public void Histogram_counts_fall_in_the_given_bins_with_overflow_outside()
    {
        var stats = new RunningStatistics(bins: 4, range: (0, 4));
        foreach (var v in new[] { -1.0, 0.0, 0.5, 1.0, 2.5, 3.9, 4.0, 7.0 }) stats.Add(v);
        var h = stats.GetHistogram();
        Assert.Equal(new[] { 0.0, 1, 2, 3, 4 }, h.Edges);
        Assert.Equal(new long[] { 2, 1, 1, 2 }, h.Counts);
        Assert.Equal(1, h.Underflow);
        Assert.Equal(1, h.Overflow);
        Assert.Equal(8, h.Total);
        Assert.Equal(6.0 / 8, stats.FractionActive); // strictly above 0
    }

    [Fact]
    public void Without_a_range_the_histogram_spans_the_first_sample()
    {
        var stats = new RunningStatistics(bins: 10, rangeSample: 100);
        var values = Values(1000, 3);
        foreach (var v in values) stats.Add(v);
        var h = stats.GetHistogram();
        Assert.Equal(values.Take(100).Min(), h.Edges[0], 12);
        Assert.Equal(values.Take(100).Max(), h.Edges[^1], 12);
        Assert.Equal(1000, h.Total);
        var summary = stats.Summary();
        Assert.Equal(7, summary.Quantiles.Count);
        Assert.Equal((double)summary.Count, (double)summary.ToDataFrame()["value"][0]!);
    }

    [Fact]
    public void The_top_example_collector_keeps_the_k_largest_with_their_context()
    {
        var collector = new TopExampleCollector(k: 3, window: 2);
        var chunk = new TokenChunk([50256, 10, 11, 12, 13, 14, 15], Document: 4, Offset: 0, Lines: null, StartsWithBos: true);
        float[] acts = [9f, 0.1f, 5f, 0.3f, 7f, 2f, 6f];
        for (int p = 1; p < chunk.Ids.Length; p++) collector.Offer(acts[p], chunk, p);
        Assert.Equal(3, collector.Count);
        Assert.Equal(5f, collector.Threshold);
        using var model = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));
        var top = collector.Results(model);
        Assert.Equal(new[] { 7f, 6f, 5f }, top.Select(e => e.Activation));
        Assert.Equal(new[] { 4, 6, 2 }, top.Select(e => e.Position));
        Assert.Equal(new[] { 11, 12, 13, 14, 15 }, top[0].ContextIds); // a window of 2 each side
        Assert.Equal(2, top[0].MarkedIndex);
        Assert.Equal(new[] { 10, 11, 12, 13 }, top[2].ContextIds); // clipped at BOS, which is left out
        Assert.Equal(1, top[2].MarkedIndex);
        Assert.Contains("[[", top[0].Marked);
        Assert.Equal(3, ActivatingExample.ToDataFrame(top).Rows.Count);
    }
}

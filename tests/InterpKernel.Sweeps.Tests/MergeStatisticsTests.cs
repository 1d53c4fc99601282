using InterpKernel.Analysis;

namespace InterpKernel.Sweeps.Tests;

public class MergeStatisticsTests
{
    private static double[] Values(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 3 - 1 + (rng.NextDouble() < 0.01 ? 50 : 0)).ToArray();
    }

    [Theory]
    [InlineData(1000, 4, 100_000)]
    [InlineData(5000, 7, 300)]
    public void Merged_parts_equal_one_pass_in_counts_moments_extremes_and_histogram(int n, int parts, int reservoir)
    {
        var values = Values(n, 1);
        var whole = new RunningStatistics(bins: 20, range: (-1, 2), reservoirSize: reservoir);
        foreach (var v in values) whole.Add(v);

        RunningStatistics? merged = null;
        foreach (var chunk in values.Chunk((n + parts - 1) / parts))
        {
            var part = new RunningStatistics(bins: 20, range: (-1, 2), reservoirSize: reservoir);
            foreach (var v in chunk) part.Add(v);
            var restored = RunningStatistics.FromState(part.ToState());
            if (merged is null) merged = restored;
            else merged.Merge(restored);
        }

        Assert.Equal(whole.Count, merged!.Count);
        Assert.Equal(whole.Mean, merged.Mean, 1e-12 * Math.Abs(whole.Mean));
        Assert.Equal(whole.Variance, merged.Variance, 1e-10 * whole.Variance);
        Assert.Equal(whole.Min, merged.Min);
        Assert.Equal(whole.Max, merged.Max);
        Assert.Equal(whole.FractionActive, merged.FractionActive);
        Assert.Equal(whole.GetHistogram().Counts, merged.GetHistogram().Counts);
        Assert.Equal(whole.GetHistogram().Overflow, merged.GetHistogram().Overflow);
        Assert.Equal(whole.QuantilesExact, merged.QuantilesExact);
        if (whole.QuantilesExact) Assert.Equal(whole.Quantile(0.5), merged.Quantile(0.5));
    }

    [Fact]
    public void Parts_that_chose_no_range_yet_merge_as_if_one_stream_had_chosen_it()
    {
        var values = Values(600, 2);
        var whole = new RunningStatistics(bins: 10, rangeSample: 200);
        foreach (var v in values) whole.Add(v);
        var a = new RunningStatistics(bins: 10, rangeSample: 200);
        var b = new RunningStatistics(bins: 10, rangeSample: 200);
        foreach (var v in values.Take(150)) a.Add(v);
        foreach (var v in values.Skip(150).Take(40)) b.Add(v);
        var c = new RunningStatistics(bins: 10, rangeSample: 200);
        foreach (var v in values.Skip(190).Take(250)) c.Add(v);
        a.Merge(b);
        Assert.Throws<ArgumentException>(() => a.Merge(c)); // c fixed its own range from other values
        var d = new RunningStatistics(bins: 10, rangeSample: 200);
        foreach (var v in values.Skip(190).Take(5)) d.Add(v);
        a.Merge(d); // 195 pending values: still no range
        var e = new RunningStatistics(bins: 10, rangeSample: 200);
        foreach (var v in values.Skip(195).Take(10)) e.Add(v);
        a.Merge(e); // 205: the range comes from the first 200, as in one pass
        var rest = values.Skip(205).ToArray();
        foreach (var v in rest) a.Add(v);
        Assert.Equal(whole.GetHistogram().Edges, a.GetHistogram().Edges);
        Assert.Equal(whole.GetHistogram().Counts, a.GetHistogram().Counts);
    }

    [Fact]
    public void A_merged_reservoir_keeps_each_value_of_either_stream_with_the_same_probability()
    {
        // Stream A: 1,000 values 0..999; stream B: 3,000 values 1000..3999; reservoirs of 100.
        // Each of the 4,000 values should end up in the merged sample with probability 100 / 4000.
        const int trials = 2000, size = 100;
        var hits = new int[4000];
        for (int t = 0; t < trials; t++)
        {
            var a = new RunningStatistics(reservoirSize: size, range: (0, 4000), seed: 2 * t);
            var b = new RunningStatistics(reservoirSize: size, range: (0, 4000), seed: 2 * t + 1);
            for (int i = 0; i < 1000; i++) a.Add(i);
            for (int i = 1000; i < 4000; i++) b.Add(i);
            a.Merge(b);
            foreach (var v in a.ToState().Reservoir) hits[(int)v]++;
        }
        double expected = trials * (double)size / 4000; // 50 per value
        double fromA = hits.Take(1000).Sum() / (double)(trials * size);
        Assert.InRange(fromA, 0.25 - 0.01, 0.25 + 0.01);
        // Per-decile inclusion rates stay within a few percent of uniform (5,000 expected hits per 100 values... per bucket).
        for (int bucket = 0; bucket < 40; bucket++)
        {
            double mean = hits.Skip(bucket * 100).Take(100).Average();
            Assert.InRange(mean, expected * 0.9, expected * 1.1);
        }
    }

    [Fact]
    public void Merged_top_examples_equal_one_pass_including_ties()
    {
        var rng = new Random(3);
        // Coarse values make many ties: the example offered first must win, as in one pass.
        var values = Enumerable.Range(0, 4000).Select(_ => (float)Math.Round(rng.NextDouble() * 20)).ToArray();
        var chunks = values.Select((v, i) => new TokenChunk([1, 2, 3, i], i, 0, null, false)).ToArray();
        var whole = new TopExampleCollector(k: 25, window: 1);
        for (int i = 0; i < values.Length; i++) whole.Offer(values[i], chunks[i], 3);

        TopExampleCollector? merged = null;
        foreach (var part in Enumerable.Range(0, values.Length).Chunk(700))
        {
            var c = new TopExampleCollector(k: 25, window: 1);
            foreach (int i in part) c.Offer(values[i], chunks[i], 3);
            var restored = TopExampleCollector.FromEntries(25, 1, c.Offered, c.Entries());
            if (merged is null) merged = restored;
            else merged.Merge(restored);
        }
        Assert.Equal(whole.Entries().Select(e => (e.Activation, e.Document)), merged!.Entries().Select(e => (e.Activation, e.Document)));
        Assert.Equal(whole.Offered, merged.Offered);
    }
}

using System.Text.Json.Nodes;
using InterpKernel.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Sweeps.Tests;

/// <summary>Assertions that a merged sweep result equals the single-process one.</summary>
public static class SameResult
{
    /// <summary>Same token counts, histograms, extremes and top examples; means and variances within 1e-9 relative.</summary>
    public static void NeuronScan(JsonObject expected, JsonObject actual)
    {
        var e = NeuronScanSweep.Results(expected["checkpoints"]![0]!["result"]!);
        var a = NeuronScanSweep.Results(actual["checkpoints"]![0]!["result"]!);
        Assert.Equal(e.Count, a.Count);
        for (int i = 0; i < e.Count; i++)
        {
            Assert.Equal(e[i].Site.ToString(), a[i].Site.ToString());
            Assert.Equal(e[i].Tokens, a[i].Tokens);
            var (se, sa) = (e[i].Statistics, a[i].Statistics);
            Assert.Equal(se.Count, sa.Count);
            Assert.Equal(se.Mean, sa.Mean, 1e-9 * Math.Abs(se.Mean));
            Assert.Equal(se.Std, sa.Std, 1e-9 * se.Std);
            Assert.Equal(se.Min, sa.Min);
            Assert.Equal(se.Max, sa.Max);
            Assert.Equal(se.FractionActive, sa.FractionActive);
            Assert.Equal(se.Histogram.Counts, sa.Histogram.Counts);
            Assert.Equal(se.Histogram.Underflow, sa.Histogram.Underflow);
            Assert.Equal(se.Histogram.Overflow, sa.Histogram.Overflow);
            Assert.Equal(
                e[i].TopExamples.Select(x => (x.Activation, x.Source, x.Line, x.Position, string.Join(",", x.ContextIds))),
                a[i].TopExamples.Select(x => (x.Activation, x.Source, x.Line, x.Position, string.Join(",", x.ContextIds))));
        }
        var expectedVariance = expected["checkpoints"]![0]!["result"]!["sites"]!.AsArray().Select(s => s!["variance"]!.GetValue<double>());
        var actualVariance = actual["checkpoints"]![0]!["result"]!["sites"]!.AsArray().Select(s => s!["variance"]!.GetValue<double>());
        foreach (var (x, y) in expectedVariance.Zip(actualVariance)) Assert.Equal(x, y, 1e-9 * x);
    }

    /// <summary>The same heatmap, label for label and value for value, for every prompt pair.</summary>
    public static void Patching(JsonObject expected, JsonObject actual, int pairs)
    {
        var e = PatchingSweep.Results(expected["checkpoints"]![0]!["result"]!);
        var a = PatchingSweep.Results(actual["checkpoints"]![0]!["result"]!);
        Assert.Equal(pairs, e.Count);
        Assert.Equal(pairs, a.Count);
        for (int i = 0; i < pairs; i++)
        {
            using (e[i])
            using (a[i])
            {
                Assert.Equal(e[i].RowLabels, a[i].RowLabels);
                Assert.Equal(e[i].ColumnLabels, a[i].ColumnLabels);
                Assert.Equal(e[i].Values.shape, a[i].Values.shape);
                Assert.True(e[i].Values.eq(a[i].Values).all().item<bool>(), $"pair {i}: the patching tensors differ");
            }
        }
    }
}

using InterpKernel.Notebook.Views;

namespace InterpKernel.Notebook.Tests;

/// <summary>Small deterministic inputs for the views.</summary>
internal static class Samples
{
    public static readonly string[] Tokens = ["<|endoftext|>", "The", " cat", " sat", " on", " the", " mat"];

    /// <summary>Causal softmax patterns from a seeded generator; head 1 is a previous-token head.</summary>
    public static float[] CausalPatterns(int heads, int n, int seed = 7)
    {
        var random = new Random(seed);
        var weights = new float[heads * n * n];
        for (int h = 0; h < heads; h++)
        {
            for (int q = 0; q < n; q++)
            {
                var row = new double[q + 1];
                for (int k = 0; k <= q; k++) row[k] = Math.Exp(3 * random.NextDouble());
                if (h == 1) { Array.Clear(row); row[Math.Max(0, q - 1)] = 1; }
                var sum = row.Sum();
                for (int k = 0; k <= q; k++) weights[(h * n + q) * n + k] = (float)(row[k] / sum);
            }
        }
        return weights;
    }

    public static AttentionPatternView Attention() =>
        new(Tokens, CausalPatterns(3, Tokens.Length), 3, ["L0H0", "L0H1", "L0H2"]) { Title = "Layer 0" };

    public static ColoredTokensView Colored() =>
        new(Tokens,
            new NamedValues("L1 N42", [0.5f, -1.5f, 3f, 0f, 1f, -3f, 2f]),
            new NamedValues("L1 N7", [1f, 1f, 1f, -1f, -1f, -1f, 0f]));

    public static PatchingHeatmapView Heatmap() =>
        new([[0.1f, -0.4f, 0.9f], [0.3f, 0.0f, -0.2f]], ["L0", "L1"], PatchingHeatmapView.PositionLabels(["The", " cat", " cat"]), "Residual stream patching")
        { XTitle = "position", YTitle = "layer" };

    public static HistogramView Histogram()
    {
        var random = new Random(3);
        var a = Enumerable.Range(0, 400).Select(_ => (float)(random.NextDouble() * 2 - 0.5)).ToArray();
        var b = Enumerable.Range(0, 300).Select(_ => (float)(random.NextDouble() * 2 - 1.5)).ToArray();
        return new HistogramView("L1 N42 on two prompt sets", new NamedValues("scripture", a), new NamedValues("fortunes", b)) { XTitle = "activation" };
    }

    public static LineChartView Line() =>
        new("Probe accuracy", ["L0", "L1", "L2", "L3"], new NamedValues("train", [0.5f, 0.7f, 0.9f, 0.95f]), new NamedValues("test", [0.5f, 0.65f, 0.85f, 0.9f]))
        { XTitle = "layer", YTitle = "accuracy" };

    /// <summary>A 12 × 20 patching heatmap (a 12-layer model over a 20-token prompt), the size of a typical sweep.</summary>
    public static PatchingHeatmapView Heatmap12x20()
    {
        var random = new Random(5);
        string[] words = [" And", " Abraham", " said", " unto", " Isaac", ",", " Behold", " the", " fire", " and", " the", " wood", ":", " but", " where", " is", " the", " lamb", " for", " a burnt offering"];
        var values = Enumerable.Range(0, 12).Select(_ => Enumerable.Range(0, 20).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()).ToArray();
        return new PatchingHeatmapView(values, Enumerable.Range(0, 12).Select(l => $"L{l}").ToArray(), PatchingHeatmapView.PositionLabels(words), "Residual stream patching (normalised logit diff)")
        { XTitle = "position", YTitle = "layer" };
    }

    public static LineChartView SingleLine() =>
        new("Loss per position", Enumerable.Range(1, 40).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            new NamedValues("loss", Enumerable.Range(0, 40).Select(i => i < 20 ? 7f - i * 0.01f : 1.5f + (float)Math.Sin(i) * 0.2f).ToArray()))
        { XTitle = "position", YTitle = "loss (nats)" };

    public static BarChartView Bars() =>
        new("Loss change when ablating each head", ["L1H0", "L1H1", "L1H2", "L1H3", "L1H4", "L1H5"],
            new NamedValues("first copy", [0.02f, 0.01f, -0.03f, 0.05f, 0.0f, 0.04f]), new NamedValues("second copy", [0.9f, 0.1f, -0.2f, 1.4f, 0.05f, 1.1f]))
        { XTitle = "head", YTitle = "loss change" };

    public static ScatterChartView Scatter() =>
        new("Previous-token against induction score",
            new ScatterSeries("layer 0", [0.9f, 0.1f, 0.2f, 0.05f], [0.0f, 0.02f, 0.01f, 0.03f], ["L0H0", "L0H1", "L0H2", "L0H3"]),
            new ScatterSeries("layer 1", [0.02f, 0.1f, 0.05f, 0.3f], [0.8f, 0.1f, 0.7f, 0.05f], ["L1H0", "L1H1", "L1H2", "L1H3"]))
        { XTitle = "previous-token score", YTitle = "induction score" };

    public static TopKTokensView TopK() =>
        new(["The", " cat", " sat"],
            [[" cat", " dog"], [" sat", " is"], [" on", " down"]],
            [[0.5f, 0.25f], [0.75f, 0.125f], [0.625f, 0.0625f]]);

    public static LogitLensView Lens() =>
        new(["L0", "L1"], ["The", " cat"], [[" the", " the"], [" cat", " sat"]], [[0.1f, 0.2f], [0.6f, 0.9f]]);

    public static FeatureDashboardView Dashboard() =>
        new("L1 neuron 42",
            Histogram().Series[0].Values,
            [new FeatureExample(["In", " the", " beginning"], [0.1f, 0.2f, 2.5f]), new FeatureExample(["And", " God", " said"], [0f, 1.5f, 0.3f])],
            [new TokenScore(" God", 1.25f), new TokenScore(" LORD", 1f)],
            [new TokenScore(" fortune", -0.75f)]);
}

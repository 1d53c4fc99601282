using System.Globalization;
using InterpKernel.Analysis;
using Microsoft.Data.Analysis;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Views;

public static partial class AnalysisViews
{
    /// <summary>An activation's distribution: its histogram and summary statistics.</summary>
    /// <param name="statistics">The statistics of a scan.</param>
    /// <param name="name">Name of the activation, for the legend and table.</param>
    /// <param name="title">Title above the plot; "Distribution of {name}" when omitted.</param>
    public static ActivationDistributionView Distribution(ActivationStatistics statistics, string name = "activation", string? title = null)
    {
        ArgumentNullException.ThrowIfNull(statistics);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new ActivationDistributionView(title ?? $"Distribution of {name}", (name, statistics));
    }

    /// <summary>One activation over two token sources, overlaid, with the mean difference and Cohen's d.</summary>
    /// <param name="comparison">The result of <see cref="ActivationScan.Compare"/>.</param>
    /// <param name="firstName">Name of the first source.</param>
    /// <param name="secondName">Name of the second source.</param>
    public static ActivationDistributionView Comparison(DistributionComparison comparison, string firstName = "first", string secondName = "second")
    {
        ArgumentNullException.ThrowIfNull(comparison);
        ArgumentException.ThrowIfNullOrWhiteSpace(firstName);
        ArgumentException.ThrowIfNullOrWhiteSpace(secondName);
        if (firstName == secondName) throw new ArgumentException($"both sources are called '{firstName}': give them different names for the legend.", nameof(secondName));
        return new ActivationDistributionView(comparison.First.Site.ToString(), (firstName, comparison.First.Statistics), (secondName, comparison.Second.Statistics))
        {
            Note = $"mean difference ({secondName} − {firstName}) = {HtmlText.Number(comparison.MeanDifference)}, Cohen's d = {HtmlText.Number(comparison.CohensD)}",
        };
    }

    /// <summary>A scan's distribution above its top activating examples.</summary>
    /// <param name="result">The result of <see cref="ActivationScan.Run"/>.</param>
    public static StackedView Scan(ActivationScanResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var site = result.Site.ToString();
        return new StackedView(null,
            Distribution(result.Statistics, "activation", $"{site} over {result.Tokens} tokens"),
            Examples(result.TopExamples, $"Top activating examples of {site}"));
    }

    /// <summary>
    /// A feature dashboard: the scan's distribution, the promoted and suppressed tokens, and the scan's top examples with
    /// every token of each context coloured by the feature's activation.
    /// </summary>
    /// <param name="dashboard">The result of <see cref="FeatureDashboards.ForNeuron(HookedTransformer, int, int, TokenSource, int, int, int, long)"/> or <c>ForSaeFeature</c>.</param>
    public static FeatureDashboardView FeatureDashboard(FeatureDashboard dashboard)
    {
        ArgumentNullException.ThrowIfNull(dashboard);
        var examples = dashboard.Scan.TopExamples.Select(e => new FeatureExample(e.ContextTokens,
            e.ContextActivations ?? e.ContextTokens.Select((_, i) => i == e.MarkedIndex ? e.Activation : 0f).ToArray())).ToArray();
        return new FeatureDashboardView(dashboard.Title, [], examples,
            dashboard.Promoted.Select(t => new TokenScore(t.Token, t.Score)).ToArray(),
            dashboard.Suppressed.Select(t => new TokenScore(t.Token, t.Score)).ToArray())
        { Distribution = dashboard.Scan.Statistics };
    }

    /// <summary>Top activating examples, each context with its activating token marked and coloured.</summary>
    /// <param name="examples">The examples, strongest first.</param>
    /// <param name="title">Title above the list.</param>
    public static ActivatingExamplesView Examples(IReadOnlyList<ActivatingExample> examples, string title = "Top activating examples") =>
        new(title, examples);

    /// <summary>
    /// Per-position loss on repeated random tokens as a line chart, the first copy and the second in two colours,
    /// with the mean loss of each copy in the title.
    /// </summary>
    /// <param name="curve">The result of <see cref="RepeatedTokens.LossCurve(HookedTransformer, int, int, int?)"/>.</param>
    public static LineChartView LossCurve(InContextLossCurve curve)
    {
        ArgumentNullException.ThrowIfNull(curve);
        int n = curve.PerPosition.Length;
        var positions = Enumerable.Range(1, n).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToArray();
        // NaN leaves a gap, so each copy draws only over its own positions.
        var first = curve.PerPosition.Select((v, i) => i < curve.SeqLen ? v : float.NaN).ToArray();
        var second = curve.PerPosition.Select((v, i) => i < curve.SeqLen ? float.NaN : v).ToArray();
        return new LineChartView(
            $"Loss on repeated tokens: first copy {HtmlText.Number(curve.FirstCopyLoss)}, second copy {HtmlText.Number(curve.SecondCopyLoss)}",
            positions, new NamedValues("first copy", first), new NamedValues("second copy", second))
        { XTitle = "position of the predicted token", YTitle = "loss (nats)" };
    }

    /// <summary>The tokens an MLP neuron's output most promotes and suppresses through the unembedding.</summary>
    /// <param name="model">The model.</param>
    /// <param name="layer">The neuron's layer.</param>
    /// <param name="neuron">The neuron's index in the MLP.</param>
    /// <param name="k">How many tokens each way.</param>
    public static TokenEffectsView NeuronLogits(HookedTransformer model, int layer, int neuron, int k = 10)
    {
        var frame = Analysis.NeuronLogits.TopTokens(model, layer, neuron, k);
        var (promoted, suppressed) = TokenScores(frame);
        return new TokenEffectsView($"L{layer} neuron {neuron}: direct logit effect", promoted, suppressed);
    }

    /// <summary>
    /// A factored matrix's shape, inner dimension, Frobenius norm and top singular values (computed without forming
    /// the product), one row per matrix of a batch (the first 16).
    /// </summary>
    /// <param name="matrix">The matrix.</param>
    /// <param name="k">How many singular values to list.</param>
    public static SummaryTableView FactoredMatrix(FactoredMatrix matrix, int k = 8)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (k < 1) throw new ArgumentException($"k must be at least 1, got {k}.", nameof(k));
        float[] singular, norms;
        int count;
        using (var scope = torch.NewDisposeScope())
        {
            var (u, s, vh) = matrix.Svd();
            int kept = (int)Math.Min(k, s.shape[^1]);
            var top = s.reshape(-1, s.shape[^1]).narrow(1, 0, kept);
            count = kept;
            singular = TensorData.ToFloats(top, nameof(matrix));
            norms = TensorData.ToFloats(matrix.FrobeniusNorm().reshape(-1), nameof(matrix));
        }
        var rows = new List<SummaryRow>
        {
            new("shape", $"[{string.Join(", ", matrix.ProductShape)}]", "the product A·B"),
            new("inner dimension", matrix.InnerDim.ToString(CultureInfo.InvariantCulture), "an upper bound on the rank"),
        };
        int matrices = norms.Length;
        for (int m = 0; m < Math.Min(matrices, 16); m++)
        {
            string which = matrices == 1 ? "" : $" [{m}]";
            rows.Add(new SummaryRow($"Frobenius norm{which}", HtmlText.Number(norms[m])));
            rows.Add(new SummaryRow($"top singular values{which}", string.Join(", ", singular.Skip(m * count).Take(count).Select(v => HtmlText.Number(v)))));
        }
        if (matrices > 16) rows.Add(new SummaryRow("…", $"{matrices - 16} more matrices"));
        return new SummaryTableView("FactoredMatrix", [.. rows]);
    }

    /// <summary>Promoted and suppressed tokens from a table with effect, token and logit columns (<see cref="Analysis.NeuronLogits.TopTokens"/>).</summary>
    private static (TokenScore[] Promoted, TokenScore[] Suppressed) TokenScores(DataFrame frame)
    {
        var promoted = new List<TokenScore>();
        var suppressed = new List<TokenScore>();
        for (long r = 0; r < frame.Rows.Count; r++)
        {
            var score = new TokenScore((string)frame["token"][r], Convert.ToSingle(frame["logit"][r], CultureInfo.InvariantCulture));
            ((string)frame["effect"][r] == "promoted" ? promoted : suppressed).Add(score);
        }
        return ([.. promoted], [.. suppressed]);
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using InterpKernel.Analysis;
using TorchSharp;
using static TorchSharp.torch;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// Views of analysis results: each factory copies what it shows out of the result (tensors included), so the
/// view stays valid after the result is disposed. The formatters use these, and cells can call them directly.
/// </summary>
/// <example>
/// <code>
/// using var sweep = ActivationPatching.Sweep(model, clean, corrupt, metric, PatchTarget.ResidPre);
/// display(AnalysisViews.Patching(sweep));
/// display(AnalysisViews.HeadScores(HeadDetectors.PreviousToken(model, tokens), "previous-token score"));
/// </code>
/// </example>
public static partial class AnalysisViews
{
    private static readonly Regex HeadLabel = new(@"^H\d+$", RegexOptions.CultureInvariant);
    private static readonly Regex PositionPrefix = new(@"^\d+: ", RegexOptions.CultureInvariant);

    /// <summary>A patching result as a heatmap centred at zero, titled with its metric.</summary>
    /// <param name="result">The result of <see cref="ActivationPatching.Sweep"/> or any labelled <c>[rows, columns]</c> result.</param>
    public static PatchingHeatmapView Patching(PatchingResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        bool headColumns = result.ColumnLabels.All(HeadLabel.IsMatch);
        bool headRows = result.RowLabels.Any(l => l.Contains('H', StringComparison.Ordinal));
        var title = string.IsNullOrWhiteSpace(result.Metric) ? result.Title : $"{result.Title} ({result.Metric})";
        return PatchingHeatmapView.FromTensor(result.Values, Distinct(result.RowLabels), Distinct(result.ColumnLabels), title) with
        {
            XTitle = headColumns ? "head" : "position",
            YTitle = headRows ? "layer and head" : "layer",
        };
    }

    /// <summary>
    /// Per-head scores <c>[n_layers, n_heads]</c> (head detectors, ablation sweeps, attribution of heads) as a heatmap
    /// with rows <c>L0, L1, …</c> and columns <c>H0, H1, …</c>, so hovering a cell names its head <c>L{l} H{h}</c>.
    /// </summary>
    /// <param name="scores">The scores, <c>[n_layers, n_heads]</c>.</param>
    /// <param name="title">Title above the heatmap, such as "previous-token score".</param>
    /// <param name="scale">Diverging around zero (the default), or <see cref="HeatmapScale.Unit"/> for scores in [0, 1].</param>
    public static PatchingHeatmapView HeadScores(Tensor scores, string title, HeatmapScale scale = HeatmapScale.Diverging)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(title);
        if (scores.dim() != 2)
        {
            throw new ArgumentException($"head scores must be [n_layers, n_heads], got shape [{string.Join(", ", scores.shape)}]; reshape a flat [n_layers * n_heads] tensor with scores.reshape(n_layers, n_heads).", nameof(scores));
        }
        var rows = Enumerable.Range(0, (int)scores.shape[0]).Select(l => $"L{l}").ToArray();
        var cols = Enumerable.Range(0, (int)scores.shape[1]).Select(h => $"H{h}").ToArray();
        return PatchingHeatmapView.FromTensor(scores, rows, cols, title) with { Scale = scale, XTitle = "head", YTitle = "layer" };
    }

    /// <summary>
    /// The logit lens as a layer × position grid of top tokens with their probabilities, and the answer's probability
    /// and rank per cell.
    /// </summary>
    /// <param name="result">The result of <see cref="LogitLens.Run(HookedTransformer, TorchSharp.torch.Tensor, int, int)"/>.</param>
    public static LogitLensView LogitLens(LogitLensResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        int layers = result.LayerLabels.Length, positions = result.PositionLabels.Length;
        var top = TensorData.ToFloats(result.TopProbabilities, nameof(result.TopProbabilities)); // [layer, pos, k]
        int k = (int)result.TopProbabilities.shape[^1];
        var answerP = TensorData.ToFloats(result.AnswerProbability, nameof(result.AnswerProbability));
        var rank = TensorData.ToFloats(result.AnswerRank, nameof(result.AnswerRank));
        var tokens = result.PositionLabels.Select(l => PositionPrefix.Replace(l, "", 1)).ToArray();
        var topTokens = new string[layers][];
        var probabilities = new float[layers][];
        var answerProbabilities = new float[layers][];
        var answerRanks = new int[layers][];
        for (int l = 0; l < layers; l++)
        {
            topTokens[l] = Enumerable.Range(0, positions).Select(p => result.TopTokenText[l][p][0]).ToArray();
            probabilities[l] = Enumerable.Range(0, positions).Select(p => top[(l * positions + p) * k]).ToArray();
            answerProbabilities[l] = answerP.AsSpan(l * positions, positions).ToArray();
            answerRanks[l] = rank.AsSpan(l * positions, positions).ToArray().Select(r => (int)r).ToArray();
        }
        return new LogitLensView(result.LayerLabels, tokens, topTokens, probabilities) { Title = $"Logit lens (answer {HtmlText.Token(result.Answer)})" }
            .WithAnswer(result.Answer, answerProbabilities, answerRanks);
    }

    /// <summary>
    /// Attribution-patching estimates side by side, as the estimated change of the metric from the corrupted run
    /// (zero: no effect; the clean-minus-corrupted gap: patching restores everything): the residual stream, attention
    /// and MLP outputs by layer and position, and heads by layer, for whichever of those hooks the run estimated.
    /// </summary>
    /// <param name="result">The result of <see cref="AttributionPatching.Run"/>.</param>
    /// <param name="positionLabels">One label per position, such as <see cref="ActivationPatching.PositionLabels"/>; "0", "1", … when omitted.</param>
    public static HeatmapGridView AttributionPatching(AttributionPatchingResult result, string[]? positionLabels = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        var names = result.HookNames.ToHashSet(StringComparer.Ordinal);
        int layers = names.Select(InterpKernel.HookNames.LayerOf).Where(l => l is not null).Select(l => l!.Value).DefaultIfEmpty(-1).Max() + 1;
        bool Covers(string activation) => layers > 0 && Enumerable.Range(0, layers).All(l => names.Contains(InterpKernel.HookNames.Of(activation, l)));
        var rows = Enumerable.Range(0, layers).Select(l => $"L{l}").ToArray();
        var heatmaps = new List<PatchingHeatmapView>();
        foreach (var activation in new[] { "resid_pre", "attn_out", "mlp_out", "resid_post" })
        {
            if (!Covers(activation)) continue;
            using var scope = torch.NewDisposeScope();
            var change = result.ByLayerAndPosition(activation) - result.CorruptedMetric;
            var columns = Positions(positionLabels, (int)change.shape[1]);
            heatmaps.Add(PatchingHeatmapView.FromTensor(change, rows, columns, activation) with { XTitle = "position", YTitle = "layer" });
        }
        if (Covers("z"))
        {
            using var scope = torch.NewDisposeScope();
            heatmaps.Add(HeadScores(result.HeadOut() - result.CorruptedMetric, "head output (z)"));
        }
        if (heatmaps.Count == 0)
        {
            throw new ArgumentException($"the run estimated none of resid_pre, attn_out, mlp_out, resid_post or z at every layer (it has {string.Join(", ", names.Take(4))}…): use result.Elementwise(hookName) and PatchingHeatmapView.FromTensor for other hooks.", nameof(result));
        }
        var title = string.Create(CultureInfo.InvariantCulture,
            $"Attribution patching: estimated change of the metric from the corrupted run's {HtmlText.Number(result.CorruptedMetric)} (clean run {HtmlText.Number(result.CleanMetric)})");
        return new HeatmapGridView(title, [.. heatmaps]);
    }

    /// <summary>An activation-patching result next to an estimate of it (attribution patching), each on its own scale.</summary>
    /// <param name="actual">The measured result.</param>
    /// <param name="estimate">The estimate, with the same shape as <paramref name="actual"/>'s values.</param>
    /// <param name="estimateTitle">Title of the estimate's heatmap.</param>
    public static HeatmapGridView Compare(PatchingResult actual, Tensor estimate, string estimateTitle = "attribution patching estimate")
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(estimate);
        ArgumentNullException.ThrowIfNull(estimateTitle);
        if (!estimate.shape.SequenceEqual(actual.Values.shape))
        {
            throw new ArgumentException($"the estimate has shape [{string.Join(", ", estimate.shape)}] but the patching result is [{string.Join(", ", actual.Values.shape)}]: compare results of the same sweep.", nameof(estimate));
        }
        var measured = Patching(actual);
        var estimated = PatchingHeatmapView.FromTensor(estimate, measured.RowLabels, measured.ColumnLabels, estimateTitle) with { XTitle = measured.XTitle, YTitle = measured.YTitle };
        var relabelled = new PatchingHeatmapView(measured.Values, measured.RowLabels, measured.ColumnLabels, "activation patching") { XTitle = measured.XTitle, YTitle = measured.YTitle };
        return new HeatmapGridView(measured.Title, relabelled, estimated);
    }

    /// <summary>A residual stack's labels with each component's mean L2 norm (over batch and position).</summary>
    /// <param name="stack">A stack from <see cref="ActivationCache.AccumulatedResid"/>, <see cref="ActivationCache.DecomposeResid"/> or <see cref="ActivationCache.StackHeadResults"/>.</param>
    public static SummaryTableView ResidualStack(ResidualStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        float[] norms;
        using (var scope = torch.NewDisposeScope())
        {
            var components = stack.Components.detach().to(ScalarType.Float32);
            var flat = components.reshape(components.shape[0], -1, components.shape[^1]);
            norms = TensorData.ToFloats(flat.norm(-1).mean([1]), nameof(stack));
        }
        var rows = stack.Labels.Select((label, i) => new SummaryRow(label, HtmlText.Number(i < norms.Length ? norms[i] : float.NaN))).ToArray();
        return new SummaryTableView($"ResidualStack: {stack.Count} components, [{string.Join(", ", stack.Components.shape)}], mean L2 norm per component", rows);
    }

    /// <summary>An ablation's metric before and after, and the change.</summary>
    /// <param name="result">The result of an ablation.</param>
    public static SummaryTableView Ablation(AblationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new SummaryTableView($"{result.Kind} ablation of {result.Target}",
            new SummaryRow("baseline", HtmlText.Number(result.Baseline), "metric of the unablated model"),
            new SummaryRow("ablated", HtmlText.Number(result.Ablated), "metric with the ablation"),
            new SummaryRow("effect", HtmlText.Number(result.Effect), "ablated − baseline"));
    }

    private static string[] Positions(string[]? labels, int count)
    {
        if (labels is null) return Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        if (labels.Length != count)
        {
            throw new ArgumentException($"{labels.Length} position labels were given for {count} positions: pass one label per token of the prompt.", nameof(labels));
        }
        return Distinct(labels);
    }

    /// <summary>Repeated labels get their index in front, so a hovered cell names one row and one column.</summary>
    private static string[] Distinct(string[] labels) =>
        labels.Distinct(StringComparer.Ordinal).Count() == labels.Length ? labels : labels.Select((l, i) => $"{i}: {l}").ToArray();
}

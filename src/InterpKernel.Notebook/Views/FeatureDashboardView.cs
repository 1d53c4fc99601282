using System.Text;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Views.Charts;

namespace InterpKernel.Notebook.Views;

/// <summary>
/// Everything about one feature (a neuron or an SAE latent) on one page: the histogram of its activations,
/// the texts where it fires most (tokens coloured by activation, the peak token marked), and the tokens its
/// output promotes and suppresses.
/// </summary>
public sealed record FeatureDashboardView : IHtmlView
{
    /// <summary>Creates the view.</summary>
    /// <param name="title">Name of the feature, such as "L1 neuron 42".</param>
    /// <param name="activations">The feature's activations over a dataset, for the histogram.</param>
    /// <param name="topExamples">Texts where the feature fires most, strongest first.</param>
    /// <param name="promoted">Tokens whose logits the feature raises most.</param>
    /// <param name="suppressed">Tokens whose logits the feature lowers most.</param>
    public FeatureDashboardView(string title, float[] activations, FeatureExample[] topExamples, TokenScore[] promoted, TokenScore[] suppressed)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentNullException.ThrowIfNull(topExamples);
        ArgumentNullException.ThrowIfNull(promoted);
        ArgumentNullException.ThrowIfNull(suppressed);
        Title = title;
        Activations = activations;
        TopExamples = topExamples;
        Promoted = promoted;
        Suppressed = suppressed;
    }

    /// <summary>Name of the feature.</summary>
    public string Title { get; }

    /// <summary>The feature's activations over a dataset (may be empty when <see cref="Distribution"/> is given).</summary>
    public float[] Activations { get; }

    /// <summary>The distribution from a scan; when set, the histogram and summary come from it instead of <see cref="Activations"/>.</summary>
    public ActivationStatistics? Distribution { get; init; }

    /// <summary>Texts where the feature fires most.</summary>
    public FeatureExample[] TopExamples { get; }

    /// <summary>Tokens whose logits the feature raises most.</summary>
    public TokenScore[] Promoted { get; }

    /// <summary>Tokens whose logits the feature lowers most.</summary>
    public TokenScore[] Suppressed { get; }

    /// <inheritdoc />
    public string ToHtml(string? idPrefix = null)
    {
        var id = ViewIds.Resolve(idPrefix);
        var html = new StringBuilder(ViewAssets.StyleElement());
        html.Append($"<div class=\"ik-view ik-chart ik-dashboard\" id=\"{id}-root\"><div class=\"ik-title\">{HtmlText.Encode(Title)}</div>");
        IChartBody histogram = Distribution is { } d
            ? new ActivationDistributionView("Activation distribution", ("activation", d))
            : new HistogramView("Activation distribution", new NamedValues("activation", Activations)) { XTitle = "activation" };
        histogram.AppendBody(html, id + "-hist");
        html.Append("<div class=\"ik-columns\">");
        TokenEffectsView.AppendScores(html, id + "-promoted", "Promoted tokens", Promoted);
        TokenEffectsView.AppendScores(html, id + "-suppressed", "Suppressed tokens", Suppressed);
        html.Append("</div>");
        html.Append($"<div class=\"ik-examples\" id=\"{id}-examples\"><div class=\"ik-title\">Top activating examples</div>");
        // One colour scale for all examples so they compare at a glance.
        double limit = ColorScale.SymmetricLimit(TopExamples.SelectMany(e => e.Activations));
        for (int e = 0; e < TopExamples.Length; e++)
        {
            var example = TopExamples[e];
            var peak = example.PeakPosition;
            html.Append($"<div class=\"ik-example\" data-peak=\"{(peak >= 0 ? HtmlText.Number(example.Activations[peak]) : "")}\">");
            new ColoredTokensView(example.Tokens, new NamedValues("activation", example.Activations)) { Limit = limit, MarkedPosition = peak }
                .AppendBody(html, $"{id}-ex{e}", showLegend: e == 0);
            html.Append("</div>");
        }
        html.Append("</div></div>");
        ChartHtml.AppendScript(html, id + "-root");
        return html.ToString();
    }

    /// <inheritdoc />
    public string ToPlainText()
    {
        var text = new StringBuilder(Title).AppendLine();
        var stats = Distribution ?? SampleStatistics.Of(Activations);
        text.AppendLine($"activations: n={stats.Count} mean={HtmlText.Number(stats.Mean)} max={HtmlText.Number(stats.Max)} frac>0={HtmlText.Number(stats.FractionActive)}");
        text.AppendLine("promoted: " + string.Join(", ", Promoted.Select(s => $"\"{HtmlText.Token(s.Token)}\" {HtmlText.Number(s.Score)}")));
        text.AppendLine("suppressed: " + string.Join(", ", Suppressed.Select(s => $"\"{HtmlText.Token(s.Token)}\" {HtmlText.Number(s.Score)}")));
        text.AppendLine("top examples:");
        foreach (var e in TopExamples)
        {
            var peak = e.PeakPosition;
            text.AppendLine("  " + string.Concat(e.Tokens.Select((t, i) => i == peak ? $"[[{HtmlText.Token(t)}]]" : HtmlText.Token(t)))
                + (peak >= 0 ? $"  (max {HtmlText.Number(e.Activations[peak])})" : ""));
        }
        return text.ToString();
    }
}

using System.Globalization;
using AngleSharp.Dom;
using InterpKernel.Analysis;
using InterpKernel.Notebook.Formatting;
using InterpKernel.Notebook.Views;
using Microsoft.DotNet.Interactive.Formatting;
using TorchSharp;

namespace InterpKernel.Notebook.Tests;

/// <summary>Every analysis result type formats as its view, with the result's own labels and values in the HTML.</summary>
[Collection("Formatter")]
public class AnalysisFormatterTests
{
    private static readonly AnalysisSamples S = AnalysisSamples.Get();

    private static IDocument Format(object value) => Html.Parse(FormatHtml(value));

    private static string FormatHtml(object value)
    {
        InterpKernelFormatters.Register();
        return Formatter.ToDisplayString(value, "text/html");
    }

    private static string Plain(object value)
    {
        InterpKernelFormatters.Register();
        return Formatter.ToDisplayString(value, "text/plain");
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);

    [Fact]
    public void Every_analysis_type_has_an_html_and_a_plain_text_formatter()
    {
        InterpKernelFormatters.Register();
        var registered = Formatter.RegisteredFormatters(false).ToList();
        foreach (var type in InterpKernelFormatters.AnalysisTypes)
        {
            Assert.Contains(registered, f => f.Type == type && f.MimeType == "text/html");
            Assert.Contains(registered, f => f.Type == type && f.MimeType == "text/plain");
        }
        Assert.Contains(typeof(PatchingResult), InterpKernelFormatters.AnalysisTypes);
        Assert.Contains(typeof(SaeTrainingReport), InterpKernelFormatters.AnalysisTypes);
    }

    [Fact]
    public void A_patching_result_shows_as_a_heatmap_peaking_where_the_prompts_differ()
    {
        var html = FormatHtml(S.Patching);
        Assert.NotNull(Html.Parse(html).QuerySelector(".ik-heatmap .ik-plot"));
        Assert.Contains("Activation patching", html);
        Assert.Contains("2:  Abraham", html);
        var view = AnalysisViews.Patching(S.Patching);
        Assert.Equal(["L0", "L1"], view.RowLabels);
        Assert.Equal("position", view.XTitle);
        // Layer 0's residual stream carries the swapped name only at its own position, so that patch restores most.
        var row = view.Values[0];
        Assert.Equal("2:  Abraham", view.ColumnLabels[Array.IndexOf(row, row.Max())]);
        Assert.Equal(S.Patching.Values[0, 2].item<float>(), row[2]);
        var text = Plain(S.Patching);
        Assert.Contains("L0", text);
        Assert.Contains(S.Patching.Title, text);
    }

    [Fact]
    public void Head_scores_show_as_a_layer_by_head_heatmap_with_the_previous_token_head_brightest()
    {
        var view = AnalysisViews.HeadScores(S.PreviousTokenScores, "previous-token score", HeatmapScale.Unit);
        Assert.Equal(["H0", "H1", "H2", "H3", "H4", "H5", "H6", "H7"], view.ColumnLabels);
        var best = view.Values.SelectMany((row, l) => row.Select((v, h) => (v, label: $"{view.RowLabels[l]}{view.ColumnLabels[h]}"))).MaxBy(x => x.v);
        Assert.Equal("L0H4", best.label);
        Assert.InRange(best.v, 0.9f, 1f);
        var doc = Html.Parse(view.ToHtml("hs"));
        Assert.NotNull(doc.QuerySelector("#hs-plot"));
        Assert.Throws<ArgumentException>(() => AnalysisViews.HeadScores(torch.zeros(16), "flat"));
    }

    [Fact]
    public void A_logit_lens_result_shows_top_tokens_per_layer_and_the_answer_probability_and_rank()
    {
        var doc = Format(S.Lens);
        var grid = doc.QuerySelector("table.ik-lens:not(.ik-answer)")!;
        var rows = grid.QuerySelectorAll("tbody tr");
        Assert.Equal(["0_pre", "1_pre", "final_post"], rows.Select(r => r.QuerySelector("th")!.TextContent));
        Assert.Equal(" Isaac", rows[^1].QuerySelectorAll("td")[^1].TextContent);
        var answer = doc.QuerySelector("table.ik-answer")!;
        Assert.Contains("Isaac", answer.QuerySelector("caption")!.TextContent);
        var last = answer.QuerySelectorAll("tbody tr")[^1].QuerySelectorAll("td")[^1];
        Assert.Equal("0", last.GetAttribute("data-rank"));
        var expected = S.Lens.AnswerProbability[-1, -1].item<float>();
        Assert.Equal(expected, Number(last.GetAttribute("data-p")!), 3);
        Assert.Contains("rank", rows[^1].QuerySelectorAll("td")[^1].GetAttribute("title"));
        Assert.Contains("P( Isaac) and rank", Plain(S.Lens));
    }

    [Fact]
    public void An_attribution_patching_result_shows_its_estimates_side_by_side_with_one_chart_script()
    {
        var html = FormatHtml(S.Attribution);
        var doc = Html.Parse(html);
        var cells = doc.QuerySelectorAll(".ik-heatmap-grid .ik-cell");
        Assert.Equal(5, cells.Length);
        Assert.Equal(5, doc.QuerySelectorAll(".ik-heatmap-grid .ik-plot").Length);
        Assert.Equal(1, CountOf(html, "window.__ikChart=window.__ikChart||"));
        Assert.Equal(0, CountOf(html, "Plotly"));
        Assert.Contains($"corrupted run's {S.Attribution.CorruptedMetric.ToString("0.####", CultureInfo.InvariantCulture)}", doc.QuerySelector(".ik-heatmap-grid > .ik-title")!.TextContent);
        // Cells show the estimated change from the corrupted run, so a patch that does nothing sits at zero.
        var grid = AnalysisViews.AttributionPatching(S.Attribution);
        Assert.Equal((float)(S.ResidPreEstimate[1, 3].item<float>() - S.Attribution.CorruptedMetric), grid.Heatmaps[0].Values[1][3], 4);
        Assert.Equal(["resid_pre", "attn_out", "mlp_out", "resid_post", "head output (z)"], grid.Heatmaps.Select(h => h.Title));

        var compare = AnalysisViews.Compare(S.Patching, S.ResidPreEstimate);
        Assert.Equal(2, compare.Heatmaps.Length);
        Assert.Equal(compare.Heatmaps[0].ColumnLabels, compare.Heatmaps[1].ColumnLabels);
        Assert.Equal(S.ResidPreEstimate[1, 3].item<float>(), compare.Heatmaps[1].Values[1][3]);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    [Fact]
    public void A_residual_stack_lists_its_components_with_their_norms()
    {
        var doc = Format(S.Stack);
        var rows = doc.QuerySelectorAll(".ik-summary tbody tr");
        Assert.Equal(S.Stack.Labels, rows.Select(r => r.QuerySelector("th")!.TextContent));
        Assert.All(rows, r => Assert.True(Number(r.QuerySelector("td")!.TextContent) > 0));
        Assert.StartsWith($"ResidualStack: {S.Stack.Count} components", Plain(S.Stack));
    }

    [Fact]
    public void An_ablation_result_shows_its_baseline_ablated_and_effect()
    {
        var doc = Format(S.Ablated);
        var values = doc.QuerySelectorAll(".ik-summary tbody tr").ToDictionary(r => r.QuerySelector("th")!.TextContent, r => Number(r.QuerySelector("td")!.TextContent));
        Assert.Equal(S.Ablated.Baseline, values["baseline"], 3);
        Assert.Equal(S.Ablated.Effect, values["effect"], 3);
    }

    [Fact]
    public void Activation_statistics_show_a_histogram_and_their_summary()
    {
        var stats = S.Scan.Statistics;
        var doc = Format(stats);
        Assert.NotNull(doc.QuerySelector(".ik-distribution .ik-plot"));
        var headers = doc.QuerySelectorAll(".ik-stats thead th").Select(h => h.TextContent).ToArray();
        var cells = doc.QuerySelectorAll(".ik-stats tbody td").Select(c => c.TextContent).ToArray();
        Assert.Equal(stats.Count.ToString(CultureInfo.InvariantCulture), cells[Array.IndexOf(headers, "n") - 1]);
        Assert.Equal(stats.Mean, Number(cells[Array.IndexOf(headers, "mean") - 1]), 3);
        Assert.Equal(stats.Max, Number(cells[Array.IndexOf(headers, "max") - 1]), 3);
        Assert.Contains("50%", headers);
        Assert.Contains("mean", Plain(stats));
    }

    [Fact]
    public void A_distribution_comparison_overlays_both_sources_and_states_cohens_d()
    {
        var doc = Format(S.Comparison);
        Assert.Equal(2, doc.QuerySelectorAll(".ik-stats tbody tr").Length);
        var note = doc.QuerySelector(".ik-distribution-note")!.TextContent;
        Assert.Contains("Cohen's d = ", note);
        Assert.Equal(S.Comparison.CohensD, Number(note[(note.LastIndexOf('=') + 1)..].Trim()), 3);
        Assert.Equal(2, doc.QuerySelectorAll(".ik-distribution svg.ik-plot .ik-series").Length);
    }

    [Fact]
    public void A_scan_shows_its_distribution_over_its_top_examples_with_the_activating_token_marked()
    {
        var doc = Format(S.Scan);
        Assert.NotNull(doc.QuerySelector(".ik-stack .ik-distribution"));
        var examples = doc.QuerySelectorAll(".ik-examples .ik-example");
        Assert.Equal(S.Scan.TopExamples.Count, examples.Length);
        for (int i = 0; i < examples.Length; i++)
        {
            var marked = examples[i].QuerySelectorAll(".ik-tok.ik-marked");
            Assert.Single(marked);
            Assert.Equal(S.Scan.TopExamples[i].Token, marked[0].TextContent);
            Assert.Equal(S.Scan.TopExamples[i].Activation, Number(examples[i].GetAttribute("data-activation")!), 3);
        }
        Assert.NotEqual("rgb(255,255,255)", ColorOf(examples[0].QuerySelector(".ik-marked")!));

        var list = Format(S.Scan.TopExamples);
        Assert.Equal(S.Scan.TopExamples.Count, list.QuerySelectorAll(".ik-examples .ik-example").Length);
        Assert.Contains("[[", Plain(S.Scan.TopExamples));
    }

    private static string ColorOf(IElement element) =>
        element.GetAttribute("style")!.Split(';').First(p => p.StartsWith("background-color:", StringComparison.Ordinal))["background-color:".Length..];

    [Fact]
    public void An_in_context_loss_curve_shows_both_copies_with_their_mean_losses()
    {
        var html = FormatHtml(S.LossCurve);
        Assert.NotNull(Html.Parse(html).QuerySelector(".ik-line .ik-plot"));
        Assert.Contains("first copy", html);
        Assert.Contains("second copy", html);
        var view = AnalysisViews.LossCurve(S.LossCurve);
        Assert.Equal(24, view.XLabels.Length);
        Assert.True(float.IsNaN(view.Series[0].Values[12]) && float.IsNaN(view.Series[1].Values[11]));
        Assert.True(S.LossCurve.FirstCopyLoss > S.LossCurve.SecondCopyLoss + 3);
        Assert.Contains(S.LossCurve.SecondCopyLoss.ToString("0.####", CultureInfo.InvariantCulture), view.Title);
    }

    [Fact]
    public void A_factored_matrix_shows_its_shape_and_top_singular_values()
    {
        var text = Plain(S.FullOv);
        Assert.Contains($"[{string.Join(", ", S.FullOv.ProductShape)}]", text);
        Assert.Contains("top singular values", text);
        var (u, s, vh) = S.FullOv.Svd();
        using (u) using (vh) using (s)
        {
            var doc = Format(S.FullOv);
            var row = doc.QuerySelectorAll(".ik-summary tbody tr").First(r => r.QuerySelector("th")!.TextContent == "top singular values");
            var shown = row.QuerySelector("td")!.TextContent.Split(", ").Select(Number).ToArray();
            Assert.Equal(8, shown.Length);
            Assert.Equal(s[0].item<float>(), shown[0], 2);
        }
    }

    [Fact]
    public void Neuron_logits_show_the_promoted_and_suppressed_tokens()
    {
        var doc = Html.Parse(S.NeuronEffects.ToHtml("nl"));
        var promoted = doc.QuerySelectorAll("#nl-promoted tbody tr");
        Assert.Equal(5, promoted.Length);
        Assert.Equal((string)S.NeuronTopTokens["token"][0], promoted[0].QuerySelector("td")!.TextContent);
        Assert.Equal(5, doc.QuerySelectorAll("#nl-suppressed tbody tr").Length);
        Assert.True(Number(doc.QuerySelector("#nl-suppressed tbody tr td[data-score]")!.TextContent) < 0);
    }

    [Fact]
    public void A_probe_sweep_shows_a_metric_per_layer_over_its_table()
    {
        var doc = Format(S.Sweep);
        Assert.NotNull(doc.QuerySelector(".ik-stack .ik-line .ik-plot"));
        Assert.Equal(2, doc.QuerySelectorAll(".ik-stack .ik-dataframe tbody tr").Length);
        var chart = (LineChartView)AnalysisViews.ProbeSweep(S.Sweep).Parts[0];
        Assert.Equal(["L0", "L1"], chart.XLabels);
        var test = chart.Series.Single(c => c.Name == "test accuracy");
        Assert.Equal((float)S.Sweep.Probes["blocks.1.hook_resid_post"].Metrics.TestAccuracy, test.Values[1]);
    }

    [Fact]
    public void A_sparse_probe_result_shows_accuracy_against_k()
    {
        var doc = Format(S.Sparse);
        Assert.NotNull(doc.QuerySelector(".ik-stack .ik-line"));
        Assert.Equal(S.Sparse.Rows.Count, doc.QuerySelectorAll(".ik-dataframe tbody tr").Length);
        var chart = (LineChartView)AnalysisViews.SparseProbe(S.Sparse).Parts[0];
        Assert.Equal(["1", "2", "4"], chart.XLabels);
        Assert.Contains($"top neuron {S.Sparse.TopNeuron}", chart.Title);
    }

    [Fact]
    public void Sae_evaluations_and_training_reports_show_as_small_tables()
    {
        var doc = Format(S.Evaluation);
        var values = doc.QuerySelectorAll(".ik-summary tbody tr").ToDictionary(r => r.QuerySelector("th")!.TextContent, r => r.QuerySelector("td")!.TextContent);
        Assert.Equal(S.Evaluation.ExplainedVariance, Number(values["explained variance"]), 3);
        Assert.Equal(S.Evaluation.DeadFeatures.ToString(CultureInfo.InvariantCulture), values["dead features"]);
        var report = new SaeTrainingReport(40, 5120, TimeSpan.FromSeconds(2.5), S.Evaluation);
        var reportDoc = Format(report);
        var reportValues = reportDoc.QuerySelectorAll(".ik-summary tbody tr").ToDictionary(r => r.QuerySelector("th")!.TextContent, r => r.QuerySelector("td")!.TextContent);
        Assert.Equal("40", reportValues["steps"]);
        Assert.Equal("2.5 s", reportValues["time"]);
        Assert.Equal(S.Evaluation.L0, Number(reportValues["L0"]), 3);
        Assert.Contains("CE loss recovered", Plain(report));
    }

    [Fact]
    public void A_neuron_dashboard_colours_its_top_contexts_and_lists_its_logit_effects()
    {
        var dashboard = S.NeuronDashboard;
        var doc = Html.Parse(AnalysisViews.FeatureDashboard(dashboard).ToHtml("nd"));
        var examples = doc.QuerySelectorAll("#nd-examples .ik-example");
        Assert.Equal(3, examples.Length);
        // The dashboard is a scan: with the same site, source and options its top examples are the scan's, one for one.
        var scan = ActivationScan.Run(S.Model, ActivationSite.Neuron(AnalysisSamples.Layer, AnalysisSamples.Neuron), TokenSource.FromPrompts(S.Model, AnalysisSamples.Scripture),
            new ScanOptions { TopK = 3, Window = 4, MaxTokens = 50_000 });
        Assert.Equal(scan.TopExamples.Select(e => (e.Activation, e.Document, e.Position)), dashboard.Scan.TopExamples.Select(e => (e.Activation, e.Document, e.Position)));
        Assert.Equal(S.Scan.TopExamples[0].Activation, Number(examples[0].GetAttribute("data-peak")!), 3);
        // Every token of a context carries the neuron's value there, the marked one the example's own activation.
        var first = dashboard.Scan.TopExamples[0];
        Assert.Equal(first.ContextTokens.Length, first.ContextActivations!.Length);
        Assert.Equal(first.Activation, first.ContextActivations[first.MarkedIndex]);
        Assert.All(examples, e => Assert.Single(e.QuerySelectorAll(".ik-tok.ik-marked")));
        Assert.Equal(S.Scan.TopExamples[0].Token, examples[0].QuerySelector(".ik-marked")!.TextContent);
        Assert.Equal((string)S.NeuronTopTokens["token"][0], doc.QuerySelector("#nd-promoted tbody td")!.TextContent);
        Assert.Equal(S.Scan.Statistics.Count, dashboard.Scan.Statistics.Count);
        Assert.NotNull(doc.QuerySelector("#nd-hist-plot .ik-series rect"));
        Assert.Contains("L1 neuron", Plain(dashboard));
        Assert.StartsWith($"L{AnalysisSamples.Layer} neuron {AnalysisSamples.Neuron}", dashboard.Title);
    }

    [Fact]
    public void An_sae_feature_dashboard_reads_the_feature_through_the_sae_encoder()
    {
        var dashboard = S.SaeDashboard;
        Assert.Equal(3, dashboard.Scan.TopExamples.Count);
        Assert.Equal(5, dashboard.Promoted.Count);
        Assert.True(dashboard.Promoted[0].Score >= dashboard.Promoted[^1].Score && dashboard.Suppressed[0].Score <= dashboard.Suppressed[^1].Score);
        // ReLU features are never negative, and the strongest context holds the largest value read anywhere.
        Assert.True(dashboard.Scan.Statistics.Min >= 0);
        Assert.Equal(dashboard.Scan.Statistics.Max, dashboard.Scan.TopExamples[0].ContextActivations!.Max(), 5);
        var doc = Html.Parse(AnalysisViews.FeatureDashboard(dashboard).ToHtml("sd"));
        Assert.Equal(3, doc.QuerySelectorAll("#sd-examples .ik-example").Length);
        Assert.Contains("SAE feature 7 at blocks.1.hook_resid_pre", doc.QuerySelector(".ik-title")!.TextContent);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => FeatureDashboards.ForSaeFeature(S.Model, S.Sae, 64, AnalysisSamples.Fortunes));
        Assert.Contains("64 features", error.Message);
    }
}

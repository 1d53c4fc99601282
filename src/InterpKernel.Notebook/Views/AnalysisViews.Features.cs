using System.Globalization;
using InterpKernel.Analysis;

namespace InterpKernel.Notebook.Views;

public static partial class AnalysisViews
{
    /// <summary>
    /// A probe sweep as a line chart of its metrics per probed hook (accuracy and AUC for classifiers, R² for
    /// regression) over the sweep's table.
    /// </summary>
    /// <param name="sweep">The result of <see cref="Analysis.ProbeSweep.EveryLayer"/> or <see cref="Analysis.ProbeSweep.Run"/>.</param>
    public static StackedView ProbeSweep(ProbeSweep sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var metrics = sweep.HookNames.Select(h => sweep.Probes[h].Metrics).ToArray();
        var labels = sweep.HookNames.Select(h => InterpKernel.HookNames.LayerOf(h) is { } layer && sweep.HookNames.Count(x => InterpKernel.HookNames.LayerOf(x) == layer) == 1 ? $"L{layer}" : h).ToArray();
        var curves = new List<NamedValues>();
        void Add(string name, Func<ProbeMetrics, double> pick)
        {
            var values = metrics.Select(m => (float)pick(m)).ToArray();
            if (values.Any(float.IsFinite)) curves.Add(new NamedValues(name, values));
        }
        Add("train accuracy", m => m.TrainAccuracy);
        Add("test accuracy", m => m.TestAccuracy);
        Add("test AUC", m => m.TestAuc);
        Add("test R²", m => m.TestR2);
        if (curves.Count == 0) curves.Add(new NamedValues("test accuracy", metrics.Select(m => (float)m.TestAccuracy).ToArray()));
        var chart = new LineChartView("Probe metrics per layer", labels, [.. curves]) { XTitle = "probed activation", YTitle = "held-out metric" };
        return new StackedView(null, chart, DataFrameView.From(sweep.Table));
    }

    /// <summary>Held-out accuracy of k-sparse probes against k, one curve per way of choosing neurons, over the table.</summary>
    /// <param name="result">The result of <see cref="SparseProbe.Fit(LabelledActivations, IReadOnlyList{int}, ProbeOptions?, string?)"/>.</param>
    public static StackedView SparseProbe(SparseProbeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var ks = result.Rows.Select(r => r.K).Distinct().Order().ToArray();
        var curves = result.Rows.GroupBy(r => r.Method).Select(g => new NamedValues(g.Key,
            ks.Select(k => g.FirstOrDefault(r => r.K == k) is { } row ? (float)row.TestAccuracy : float.NaN).ToArray())).ToArray();
        var chart = new LineChartView($"Sparse probe accuracy against k (top neuron {result.TopNeuron})",
            ks.Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray(), curves)
        { XTitle = "k (neurons read)", YTitle = "held-out accuracy" };
        return new StackedView(null, chart, DataFrameView.From(result.ToDataFrame()));
    }

    /// <summary>An SAE's reconstruction and loss-recovered metrics as a small table.</summary>
    /// <param name="evaluation">The result of <see cref="SaeEvaluator"/>.</param>
    /// <param name="title">Caption of the table.</param>
    public static SummaryTableView SaeEvaluation(SaeEvaluation evaluation, string title = "SAE evaluation") =>
        new(title, EvaluationRows(evaluation));

    /// <summary>An SAE training run: steps, tokens and time, then the held-out evaluation.</summary>
    /// <param name="report">The report of <see cref="SaeTrainer"/>.</param>
    public static SummaryTableView SaeTraining(SaeTrainingReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        SummaryRow[] run =
        [
            new("steps", report.Steps.ToString(CultureInfo.InvariantCulture), "optimisation steps"),
            new("training tokens", report.Tokens.ToString(CultureInfo.InvariantCulture), "activations trained on"),
            new("time", report.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s", "wall clock, collection included"),
        ];
        return new SummaryTableView("SAE training (evaluated on held-out contexts)", [.. run, .. EvaluationRows(report.Evaluation)]);
    }

    private static SummaryRow[] EvaluationRows(SaeEvaluation e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return
        [
            new("tokens", e.Tokens.ToString(CultureInfo.InvariantCulture), "positions measured"),
            new("MSE", HtmlText.Number(e.Mse), "mean squared reconstruction error per element"),
            new("explained variance", HtmlText.Number(e.ExplainedVariance), "share of the activation's variance kept"),
            new("L0", HtmlText.Number(e.L0), "active features per token"),
            new("dead features", e.DeadFeatures.ToString(CultureInfo.InvariantCulture), "never fired on these tokens"),
            new("CE loss, clean", HtmlText.Number(e.CeLossClean), "next-token loss of the unedited model"),
            new("CE loss, with SAE", HtmlText.Number(e.CeLossWithSae), "with the reconstruction spliced in"),
            new("CE loss, zero-ablated", HtmlText.Number(e.CeLossZeroAblated), "with the activation set to zero"),
            new("CE loss recovered", HtmlText.Number(e.CeLossRecovered), "1 when splicing the SAE in costs nothing"),
        ];
    }
}

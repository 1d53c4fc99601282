using System.Globalization;
using InterpKernel.Analysis;

namespace InterpKernel.Notebook.Views;

/// <summary>The summary table of a set of samples, computed by Core's <see cref="RunningStatistics"/> (one implementation for scans and views).</summary>
internal static class SampleStatistics
{
    public static readonly string[] Headers = ["n", "mean", "std", "min", "25%", "50%", "75%", "max", "frac > 0"];

    private static readonly double[] Quartiles = [0.25, 0.5, 0.75];

    public static ActivationStatistics Of(float[] values)
    {
        var running = new RunningStatistics(reservoirSize: Math.Max(1, values.Length));
        foreach (var v in values)
        {
            if (float.IsFinite(v)) running.Add(v);
        }
        return running.Summary(Quartiles);
    }

    public static string[] Cells(float[] values)
    {
        var s = Of(values);
        return [s.Count.ToString(CultureInfo.InvariantCulture), HtmlText.Number(s.Mean), HtmlText.Number(s.Std), HtmlText.Number(s.Min),
            .. Quartiles.Select(q => HtmlText.Number(s.Quantiles.TryGetValue(q, out var v) ? v : double.NaN)), HtmlText.Number(s.Max), HtmlText.Number(s.FractionActive)];
    }
}

namespace InterpKernel.Notebook.Views;

/// <summary>Summary of a set of samples, computed over its finite values (quantiles interpolate linearly, as NumPy's default).</summary>
internal sealed record SummaryStatistics(int Count, double Mean, double Std, double Min, double Q25, double Median, double Q75, double Max, double FractionPositive)
{
    public static readonly string[] Headers = ["n", "mean", "std", "min", "25%", "50%", "75%", "max", "frac > 0"];

    public static SummaryStatistics Of(float[] values)
    {
        var sorted = values.Where(float.IsFinite).Select(v => (double)v).Order().ToArray();
        if (sorted.Length == 0) return new SummaryStatistics(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        double mean = sorted.Average();
        double std = Math.Sqrt(sorted.Sum(v => (v - mean) * (v - mean)) / sorted.Length);
        return new SummaryStatistics(sorted.Length, mean, std, sorted[0], Quantile(sorted, 0.25), Quantile(sorted, 0.5),
            Quantile(sorted, 0.75), sorted[^1], sorted.Count(v => v > 0) / (double)sorted.Length);
    }

    public string[] Cells() =>
        [Count.ToString(System.Globalization.CultureInfo.InvariantCulture), HtmlText.Number(Mean), HtmlText.Number(Std), HtmlText.Number(Min),
         HtmlText.Number(Q25), HtmlText.Number(Median), HtmlText.Number(Q75), HtmlText.Number(Max), HtmlText.Number(FractionPositive)];

    private static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }
}

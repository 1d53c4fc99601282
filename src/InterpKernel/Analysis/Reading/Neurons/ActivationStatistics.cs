using Microsoft.Data.Analysis;

namespace InterpKernel.Analysis;

/// <summary>A summary of one activation over a set of tokens (see <see cref="RunningStatistics"/> for how each is computed).</summary>
/// <param name="Count">Tokens summarised.</param>
/// <param name="Mean">Mean activation.</param>
/// <param name="Std">Sample standard deviation.</param>
/// <param name="Min">Smallest activation.</param>
/// <param name="Max">Largest activation.</param>
/// <param name="FractionActive">Fraction of tokens above <paramref name="ActiveThreshold"/>.</param>
/// <param name="ActiveThreshold">The threshold for <paramref name="FractionActive"/>.</param>
/// <param name="Quantiles">Quantile level → value.</param>
/// <param name="QuantilesExact">Whether the quantiles are exact rather than estimated from a reservoir sample.</param>
/// <param name="Histogram">Fixed-bin counts.</param>
public sealed record ActivationStatistics(
    long Count, double Mean, double Std, double Min, double Max, double FractionActive, double ActiveThreshold,
    IReadOnlyDictionary<double, double> Quantiles, bool QuantilesExact, Histogram Histogram)
{
    /// <summary>The scalar statistics as a two-column table (<c>statistic</c>, <c>value</c>), quantiles as <c>q0.5</c> etc.</summary>
    public DataFrame ToDataFrame()
    {
        var names = new List<string> { "count", "mean", "std", "min", "max", "fraction_active" };
        var values = new List<double> { Count, Mean, Std, Min, Max, FractionActive };
        foreach (var (q, v) in Quantiles.OrderBy(kv => kv.Key))
        {
            names.Add(FormattableString.Invariant($"q{q}"));
            values.Add(v);
        }
        return new DataFrame(new StringDataFrameColumn("statistic", names), new PrimitiveDataFrameColumn<double>("value", values));
    }

    /// <summary>The histogram as a table: <c>bin_start</c>, <c>bin_end</c>, <c>count</c>.</summary>
    public DataFrame HistogramFrame() => new(
        new PrimitiveDataFrameColumn<double>("bin_start", Histogram.Edges.Take(Histogram.Counts.Length)),
        new PrimitiveDataFrameColumn<double>("bin_end", Histogram.Edges.Skip(1)),
        new PrimitiveDataFrameColumn<long>("count", Histogram.Counts));
}

using Microsoft.Data.Analysis;

namespace InterpKernel.Analysis;

/// <summary>
/// One activation over two token sources with an effect size. <see cref="CohensD"/> is
/// <c>(mean₂ − mean₁) / s_pooled</c> with <c>s_pooled = sqrt(((n₁−1)s₁² + (n₂−1)s₂²) / (n₁+n₂−2))</c>, over tokens.
/// </summary>
/// <param name="First">The scan of the first source.</param>
/// <param name="Second">The scan of the second source.</param>
/// <param name="MeanDifference"><c>mean₂ − mean₁</c>.</param>
/// <param name="CohensD">The standardised mean difference.</param>
public sealed record DistributionComparison(ActivationScanResult First, ActivationScanResult Second, double MeanDifference, double CohensD)
{
    /// <summary>Compares two scans.</summary>
    public static DistributionComparison From(ActivationScanResult first, ActivationScanResult second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        var (a, b) = (first.Statistics, second.Statistics);
        double diff = b.Mean - a.Mean;
        return new DistributionComparison(first, second, diff, diff / PooledStd(a, b));
    }

    /// <summary>The pooled sample standard deviation of two summaries.</summary>
    public static double PooledStd(ActivationStatistics a, ActivationStatistics b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count + b.Count < 3) return double.NaN;
        double va = a.Count > 1 ? a.Std * a.Std : 0, vb = b.Count > 1 ? b.Std * b.Std : 0;
        return Math.Sqrt(((a.Count - 1) * va + (b.Count - 1) * vb) / (a.Count + b.Count - 2));
    }

    /// <summary>Both histograms side by side: <c>bin_start</c>, <c>bin_end</c>, <c>first</c>, <c>second</c> (counts).</summary>
    public DataFrame HistogramFrame()
    {
        var (h1, h2) = (First.Statistics.Histogram, Second.Statistics.Histogram);
        return new DataFrame(
            new PrimitiveDataFrameColumn<double>("bin_start", h1.Edges.Take(h1.Counts.Length)),
            new PrimitiveDataFrameColumn<double>("bin_end", h1.Edges.Skip(1)),
            new PrimitiveDataFrameColumn<long>("first", h1.Counts),
            new PrimitiveDataFrameColumn<long>("second", h2.Counts));
    }
}

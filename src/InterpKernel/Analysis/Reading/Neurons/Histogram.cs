namespace InterpKernel.Analysis;

/// <summary>Fixed-bin histogram counts: bin <c>i</c> holds values in <c>[Edges[i], Edges[i+1])</c>, the last bin also its right edge.</summary>
/// <param name="Edges">Bin edges, one more than there are bins, ascending.</param>
/// <param name="Counts">Values per bin.</param>
/// <param name="Underflow">Values below the first edge.</param>
/// <param name="Overflow">Values above the last edge.</param>
public sealed record Histogram(double[] Edges, long[] Counts, long Underflow, long Overflow)
{
    /// <summary>All values counted, in range or not.</summary>
    public long Total => Counts.Sum() + Underflow + Overflow;

    /// <summary>The bin index of <paramref name="value"/>, or −1 below and <c>Counts.Length</c> above the range.</summary>
    public static int BinOf(double value, double min, double max, int bins)
    {
        if (value < min) return -1;
        if (value > max) return bins;
        if (value == max) return bins - 1;
        return Math.Min(bins - 1, (int)((value - min) / (max - min) * bins));
    }
}

namespace InterpKernel.Analysis;

/// <summary>Settings of an <see cref="ActivationScan"/>.</summary>
public sealed record ScanOptions
{
    /// <summary>Chunks per forward pass.</summary>
    public int BatchSize { get; init; } = 8;
    /// <summary>Top examples kept.</summary>
    public int TopK { get; init; } = 20;
    /// <summary>Context tokens kept on each side of a top example.</summary>
    public int Window { get; init; } = 10;
    /// <summary>Histogram bins.</summary>
    public int Bins { get; init; } = 50;
    /// <summary>Histogram range; <c>null</c> to take it from the first <see cref="RangeSample"/> values.</summary>
    public (double Min, double Max)? HistogramRange { get; init; }
    /// <summary>Values buffered to choose the histogram range when none is given.</summary>
    public int RangeSample { get; init; } = 10_000;
    /// <summary>Reservoir size for quantiles (exact below this many tokens).</summary>
    public int ReservoirSize { get; init; } = 100_000;
    /// <summary>A value above this counts as active.</summary>
    public double ActiveThreshold { get; init; }
    /// <summary>Whether the BOS position of each chunk is summarised too (it is an outlier for many neurons).</summary>
    public bool IncludeBos { get; init; }
    /// <summary>Seed of the quantile reservoir.</summary>
    public int Seed { get; init; }
    /// <summary>Stop after this many tokens (<c>null</c>: the whole source).</summary>
    public long? MaxTokens { get; init; }
}

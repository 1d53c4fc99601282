namespace InterpKernel.Analysis;

/// <summary>
/// Everything a <see cref="RunningStatistics"/> holds, so it can be saved by one process and merged in another
/// (see <see cref="RunningStatistics.ToState"/>, <see cref="RunningStatistics.FromState"/> and <see cref="RunningStatistics.Merge"/>).
/// </summary>
/// <param name="Bins">Histogram bins.</param>
/// <param name="RangeMin">Lower histogram edge (meaningful when <paramref name="Counts"/> is set).</param>
/// <param name="RangeMax">Upper histogram edge (meaningful when <paramref name="Counts"/> is set).</param>
/// <param name="Counts">Histogram counts, or <c>null</c> while the range is still being chosen from <paramref name="Pending"/>.</param>
/// <param name="Pending">Values buffered to choose the histogram range.</param>
/// <param name="Underflow">Values below the range.</param>
/// <param name="Overflow">Values above the range.</param>
/// <param name="Count">Values seen.</param>
/// <param name="Active">Values above <paramref name="ActiveThreshold"/>.</param>
/// <param name="Mean">Running mean.</param>
/// <param name="M2">Sum of squared deviations from the mean (Welford).</param>
/// <param name="Min">Smallest value.</param>
/// <param name="Max">Largest value.</param>
/// <param name="Reservoir">The reservoir sample, <c>min(Count, ReservoirSize)</c> values.</param>
/// <param name="ReservoirSize">Capacity of the reservoir.</param>
/// <param name="RangeSample">Values buffered to choose the histogram range when none is given.</param>
/// <param name="ActiveThreshold">A value above this counts as active.</param>
/// <param name="Seed">Seed of the reservoir sampling.</param>
public sealed record RunningStatisticsState(
    int Bins, double RangeMin, double RangeMax, long[]? Counts, double[] Pending, long Underflow, long Overflow,
    long Count, long Active, double Mean, double M2, double Min, double Max,
    double[] Reservoir, int ReservoirSize, int RangeSample, double ActiveThreshold, int Seed);

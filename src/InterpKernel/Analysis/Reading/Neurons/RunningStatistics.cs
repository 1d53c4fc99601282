namespace InterpKernel.Analysis;

/// <summary>
/// Streaming statistics of a sequence of values in bounded memory: count, mean and variance (Welford's algorithm),
/// min, max, fraction above a threshold, a fixed-bin histogram and quantiles.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Standard deviation is the sample one (divides by <c>n − 1</c>).</item>
/// <item>Histogram: with a range given, bins are fixed from the start. Without one, the first
/// <c>rangeSample</c> values are buffered, the range is set to their min and max, and later values outside it go
/// to <see cref="Histogram.Underflow"/> / <see cref="Histogram.Overflow"/>.</item>
/// <item>Quantiles: linear interpolation over a uniform reservoir sample (Vitter's algorithm R) of at most
/// <c>reservoirSize</c> values, seeded so results repeat; exact while the count does not exceed the reservoir.</item>
/// </list>
/// </remarks>
public sealed partial class RunningStatistics
{
    readonly int _bins;
    readonly int _rangeSample;
    readonly double[] _reservoir;
    readonly Random _rng;
    readonly List<double> _pending = new();
    long[]? _counts;
    double _lo, _hi;
    long _under, _over;
    long _count, _active;
    double _mean, _m2, _min = double.PositiveInfinity, _max = double.NegativeInfinity;

    /// <summary>Creates empty statistics.</summary>
    /// <param name="bins">Histogram bins.</param>
    /// <param name="range">Histogram range; <c>null</c> to take it from the first <paramref name="rangeSample"/> values.</param>
    /// <param name="reservoirSize">Values kept for quantiles.</param>
    /// <param name="rangeSample">Values buffered to choose the histogram range when none is given.</param>
    /// <param name="activeThreshold">A value above this counts as active.</param>
    /// <param name="seed">Seed of the reservoir sampling.</param>
    public RunningStatistics(int bins = 50, (double Min, double Max)? range = null, int reservoirSize = 100_000,
                             int rangeSample = 10_000, double activeThreshold = 0, int seed = 0)
    {
        if (bins < 1) throw new ArgumentException($"bins must be at least 1, got {bins}.", nameof(bins));
        if (reservoirSize < 1) throw new ArgumentException($"reservoirSize must be at least 1, got {reservoirSize}.", nameof(reservoirSize));
        if (rangeSample < 1) throw new ArgumentException($"rangeSample must be at least 1, got {rangeSample}.", nameof(rangeSample));
        if (range is { } r && !(r.Max > r.Min))
            throw new ArgumentException($"The histogram range must have Max > Min, got ({r.Min}, {r.Max}).", nameof(range));
        _bins = bins;
        _rangeSample = rangeSample;
        _reservoir = new double[reservoirSize];
        _rng = new Random(seed);
        _seed = seed;
        ActiveThreshold = activeThreshold;
        if (range is { } given) SetRange(given.Min, given.Max);
    }

    /// <summary>The threshold above which a value counts as active.</summary>
    public double ActiveThreshold { get; }

    /// <summary>Values seen.</summary>
    public long Count => _count;

    /// <summary>Mean of the values seen.</summary>
    public double Mean => _count == 0 ? double.NaN : _mean;

    /// <summary>Sample variance (<c>n − 1</c>).</summary>
    public double Variance => _count < 2 ? double.NaN : _m2 / (_count - 1);

    /// <summary>Sample standard deviation.</summary>
    public double Std => Math.Sqrt(Variance);

    /// <summary>Smallest value seen.</summary>
    public double Min => _min;

    /// <summary>Largest value seen.</summary>
    public double Max => _max;

    /// <summary>Fraction of values above <see cref="ActiveThreshold"/>.</summary>
    public double FractionActive => _count == 0 ? double.NaN : (double)_active / _count;

    /// <summary>Whether <see cref="Quantile"/> is exact (every value is still in the reservoir).</summary>
    public bool QuantilesExact => _count <= _reservoir.Length;

    /// <summary>Adds one value.</summary>
    public void Add(double x)
    {
        if (double.IsNaN(x)) throw new ArgumentException("A NaN activation cannot be summarised: check the model's dtype and inputs.", nameof(x));
        _count++;
        double delta = x - _mean;
        _mean += delta / _count;
        _m2 += delta * (x - _mean);
        if (x < _min) _min = x;
        if (x > _max) _max = x;
        if (x > ActiveThreshold) _active++;

        if (_count <= _reservoir.Length) _reservoir[_count - 1] = x;
        else
        {
            long j = _rng.NextInt64(_count);
            if (j < _reservoir.Length) _reservoir[j] = x;
        }

        if (_counts is null)
        {
            _pending.Add(x);
            if (_pending.Count >= _rangeSample) FixRangeFromPending();
        }
        else Bin(x);
    }

    /// <summary>Adds many values.</summary>
    public void Add(ReadOnlySpan<float> values)
    {
        foreach (float v in values) Add(v);
    }

    /// <summary>The <paramref name="p"/>-quantile (0 ≤ p ≤ 1), linearly interpolated over the reservoir.</summary>
    public double Quantile(double p)
    {
        if (p is < 0 or > 1 || double.IsNaN(p)) throw new ArgumentOutOfRangeException(nameof(p), p, "A quantile must lie in [0, 1].");
        if (_count == 0) return double.NaN;
        int n = (int)Math.Min(_count, _reservoir.Length);
        var sorted = _reservoir.AsSpan(0, n).ToArray();
        Array.Sort(sorted);
        double at = p * (n - 1);
        int below = (int)Math.Floor(at);
        int above = Math.Min(n - 1, below + 1);
        return sorted[below] + (at - below) * (sorted[above] - sorted[below]);
    }

    /// <summary>The histogram so far (fixing its range from the values buffered, if it was not fixed yet).</summary>
    public Histogram GetHistogram()
    {
        if (_counts is null)
        {
            if (_pending.Count == 0) return new Histogram([], [], 0, 0);
            FixRangeFromPending();
        }
        var edges = Enumerable.Range(0, _bins + 1).Select(i => _lo + (_hi - _lo) * i / _bins).ToArray();
        return new Histogram(edges, (long[])_counts!.Clone(), _under, _over);
    }

    /// <summary>An immutable summary with the given quantiles (default 1, 5, 25, 50, 75, 95, 99 %).</summary>
    public ActivationStatistics Summary(IReadOnlyList<double>? quantiles = null)
    {
        var qs = quantiles ?? [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
        return new ActivationStatistics(Count, Mean, Std, Min, Max, FractionActive, ActiveThreshold,
            qs.ToDictionary(q => q, Quantile), QuantilesExact, GetHistogram());
    }

    void FixRangeFromPending()
    {
        double lo = _pending.Min(), hi = _pending.Max();
        if (hi <= lo) { lo -= 0.5; hi += 0.5; }
        SetRange(lo, hi);
        foreach (var v in _pending) Bin(v);
        _pending.Clear();
    }

    void SetRange(double lo, double hi)
    {
        _lo = lo;
        _hi = hi;
        _counts = new long[_bins];
    }

    void Bin(double x)
    {
        int bin = Analysis.Histogram.BinOf(x, _lo, _hi, _bins);
        if (bin < 0) _under++;
        else if (bin >= _bins) _over++;
        else _counts![bin]++;
    }
}

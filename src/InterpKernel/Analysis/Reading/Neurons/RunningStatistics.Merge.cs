namespace InterpKernel.Analysis;

public sealed partial class RunningStatistics
{
    readonly int _seed;

    /// <summary>A copy of everything these statistics hold, for saving and merging elsewhere.</summary>
    public RunningStatisticsState ToState() => new(
        _bins, _lo, _hi, (long[]?)_counts?.Clone(), _pending.ToArray(), _under, _over, _count, _active, _mean, _m2, _min, _max,
        _reservoir.AsSpan(0, (int)Math.Min(_count, _reservoir.Length)).ToArray(), _reservoir.Length, _rangeSample, ActiveThreshold, _seed);

    /// <summary>Statistics restored from <paramref name="state"/>; adding and merging continue from there.</summary>
    public static RunningStatistics FromState(RunningStatisticsState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        (double, double)? range = state.Counts is null ? null : (state.RangeMin, state.RangeMax);
        var s = new RunningStatistics(state.Bins, range, state.ReservoirSize, state.RangeSample, state.ActiveThreshold, state.Seed);
        if (state.Counts is { } counts)
        {
            if (counts.Length != state.Bins)
                throw new ArgumentException($"The state has {counts.Length} histogram counts for {state.Bins} bins: it is damaged.", nameof(state));
            Array.Copy(counts, s._counts!, counts.Length);
        }
        if (state.Reservoir.Length != Math.Min(state.Count, state.ReservoirSize))
            throw new ArgumentException($"The state holds {state.Reservoir.Length} reservoir values for {state.Count} values seen: it is damaged.", nameof(state));
        s._pending.AddRange(state.Pending);
        s._under = state.Underflow;
        s._over = state.Overflow;
        s._count = state.Count;
        s._active = state.Active;
        s._mean = state.Mean;
        s._m2 = state.M2;
        s._min = state.Min;
        s._max = state.Max;
        state.Reservoir.CopyTo(s._reservoir, 0);
        return s;
    }

    /// <summary>
    /// Adds everything <paramref name="other"/> has seen, as if its values had been added here after these: counts,
    /// min, max and histograms add; mean and variance combine by the parallel Welford formula; the reservoir becomes
    /// a uniform sample of both streams (each value of either stream is kept with the same probability).
    /// </summary>
    /// <remarks>
    /// Histograms merge only over one range: give both the same range (or let both fix theirs from the same values).
    /// The reservoir draw is seeded by these statistics' generator, so a merge in the same order repeats.
    /// </remarks>
    public void Merge(RunningStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._count == 0) return;
        if (other._bins != _bins || other._reservoir.Length != _reservoir.Length || other.ActiveThreshold != ActiveThreshold)
            throw new ArgumentException(
                $"Only statistics with the same bins, reservoir size and active threshold merge: got {other._bins}/{other._reservoir.Length}/{other.ActiveThreshold}, expected {_bins}/{_reservoir.Length}/{ActiveThreshold}.",
                nameof(other));
        MergeHistogram(other);

        long n1 = _count, n2 = other._count, n = n1 + n2;
        double delta = other._mean - _mean;
        _mean = n1 == 0 ? other._mean : _mean + delta * n2 / n;
        _m2 = _m2 + other._m2 + delta * delta * ((double)n1 * n2 / n);
        _min = Math.Min(_min, other._min);
        _max = Math.Max(_max, other._max);
        _active += other._active;
        MergeReservoir(other, n1, n2);
        _count = n;
    }

    void MergeHistogram(RunningStatistics other)
    {
        if (_counts is null && other._counts is null && _pending.Count + other._pending.Count < _rangeSample)
        {
            _pending.AddRange(other._pending);
            return;
        }
        if (_counts is null && other._counts is null)
        {
            // One stream would have fixed its range from its first values: the same ones, taken in order.
            _pending.AddRange(other._pending);
            var all = _pending.ToArray();
            _pending.Clear();
            _pending.AddRange(all.Take(_rangeSample));
            FixRangeFromPending();
            foreach (var v in all.Skip(_rangeSample)) Bin(v);
            return;
        }
        if (_counts is null && _count == 0 && other._counts is not null)
        {
            SetRange(other._lo, other._hi);
        }
        if (_counts is null || other._counts is null || _lo != other._lo || _hi != other._hi)
            throw new ArgumentException(
                "These statistics chose their histogram ranges from different values, so their histograms cannot be added: give every part the same range (ScanOptions.HistogramRange).",
                nameof(other));
        for (int i = 0; i < _bins; i++) _counts[i] += other._counts[i];
        _under += other._under;
        _over += other._over;
    }

    void MergeReservoir(RunningStatistics other, long n1, long n2)
    {
        int size = _reservoir.Length;
        int held1 = (int)Math.Min(n1, size), held2 = (int)Math.Min(n2, size);
        if (n1 + n2 <= size)
        {
            Array.Copy(other._reservoir, 0, _reservoir, held1, held2);
            return;
        }
        // How many of the merged sample come from each stream is hypergeometric: draw it one slot at a time, then take
        // that many values uniformly from each reservoir (a uniform subset of a uniform sample is uniform).
        int from1 = 0;
        long left1 = n1, left2 = n2;
        for (int slot = 0; slot < size; slot++)
        {
            if (_rng.NextInt64(left1 + left2) < left1) { from1++; left1--; }
            else left2--;
        }
        var first = Pick(_reservoir.AsSpan(0, held1).ToArray(), from1);
        var second = Pick(other._reservoir.AsSpan(0, held2).ToArray(), size - from1);
        first.CopyTo(_reservoir, 0);
        second.CopyTo(_reservoir, from1);
    }

    double[] Pick(double[] values, int k)
    {
        for (int i = 0; i < k; i++)
        {
            int j = i + _rng.Next(values.Length - i);
            (values[i], values[j]) = (values[j], values[i]);
        }
        return values[..k];
    }
}

using System.Diagnostics;

namespace InterpKernel.Bench.Core;

/// <summary>
/// What one case measured in its own process: run times and the process's memory. Where a ratio is a target,
/// the partner case runs in the same process, alternating with this one, so that load from other processes on a
/// shared machine falls on both alike; <see cref="PairedMedianMs"/> is its median.
/// </summary>
sealed record Measurement(string Case, int Batch, int Runs, double MedianMs, double MinMs, double MaxMs,
    double ModelMiB, double BuildPeakMiB, double PeakMiB, string? PairedCase = null, double? PairedMedianMs = null)
{
    /// <summary>
    /// Runs <paramref name="action"/> (and <paramref name="partner"/>) once to warm up, then <paramref name="runs"/> times each,
    /// alternating. <paramref name="warmUp"/> false skips the action's own warm-up where the partner's already exercises its code
    /// and one more run would cost minutes.
    /// </summary>
    public static Measurement Time(string name, int batch, int runs, double modelMiB, Action action, (string Name, Action Run)? partner = null, bool warmUp = true)
    {
        double buildPeak = ProcessMemory.PeakMiB();
        partner?.Run();
        if (warmUp) action();
        var times = new double[runs];
        var partnerTimes = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            if (partner is { } p) partnerTimes[i] = Stopwatch(p.Run);
            times[i] = Stopwatch(action);
        }
        return new Measurement(name, batch, runs, Median(times), times.Min(), times.Max(), modelMiB, buildPeak, ProcessMemory.PeakMiB(),
            partner?.Name, partner is null ? null : Median(partnerTimes));
    }

    static double Stopwatch(Action action)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        action();
        return System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

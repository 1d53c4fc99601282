using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// The positions a metric is known to read, so edge runs unembed only those (the other positions' logits are left
/// zero, which such a metric never sees). Unknown metrics get every position.
/// </summary>
internal static class MetricWindows
{
    static readonly ConditionalWeakTable<Func<Tensor, Tensor>, Tuple<long, long>> Windows = new();

    /// <summary>Records that <paramref name="metric"/> reads positions <paramref name="start"/> … start + count − 1 only.</summary>
    public static Func<Tensor, Tensor> Mark(Func<Tensor, Tensor> metric, long start, long count)
    {
        Windows.AddOrUpdate(metric, Tuple.Create(start, count));
        return metric;
    }

    /// <summary>The window <paramref name="metric"/> reads for prompts of <paramref name="pos"/> tokens, or null for all positions.</summary>
    public static (long Start, long Count)? For(Func<Tensor, Tensor> metric, long pos)
    {
        if (Windows.TryGetValue(metric, out var w) && w.Item1 >= 0 && w.Item1 + w.Item2 <= pos) return (w.Item1, w.Item2);
        if (Metrics.ReadsOnlyLastPosition(metric)) return (pos - 1, 1);
        return null;
    }
}

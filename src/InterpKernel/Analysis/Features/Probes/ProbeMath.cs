using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>Splits and scores shared by the probes.</summary>
internal static class ProbeMath
{
    /// <summary>A seeded shuffle of 0..n−1 cut into training and test indices.</summary>
    public static (long[] Train, long[] Test) Split(int n, double testFraction, int seed)
    {
        var order = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        new Random(seed).Shuffle(order);
        int test = Math.Clamp((int)Math.Round(n * testFraction), 1, n - 1);
        return (order[test..], order[..test]);
    }

    public static double Accuracy(float[] predicted, float[] labels)
    {
        int right = 0;
        for (int i = 0; i < labels.Length; i++) if (predicted[i] == labels[i]) right++;
        return labels.Length == 0 ? double.NaN : (double)right / labels.Length;
    }

    /// <summary>ROC AUC as the Mann–Whitney statistic, ties counted half.</summary>
    public static double Auc(float[] scores, float[] labels)
    {
        var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Length];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            double rank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = rank;
            i = j + 1;
        }
        long pos = labels.Count(l => l == 1f), neg = labels.Length - pos;
        if (pos == 0 || neg == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < labels.Length; i++) if (labels[i] == 1f) sum += ranks[i];
        return (sum - pos * (pos + 1) / 2.0) / (pos * (double)neg);
    }

    public static double R2(float[] predicted, float[] target)
    {
        if (target.Length == 0) return double.NaN;
        double mean = target.Average(t => (double)t), res = 0, tot = 0;
        for (int i = 0; i < target.Length; i++)
        {
            res += Math.Pow(target[i] - predicted[i], 2);
            tot += Math.Pow(target[i] - mean, 2);
        }
        return tot == 0 ? double.NaN : 1 - res / tot;
    }

    public static float[] ToArray(Tensor t)
    {
        using var cpu = t.detach().to(ScalarType.Float32).cpu().contiguous();
        return cpu.data<float>().ToArray();
    }

    public static void CheckData(Tensor activations, Tensor labels, ProbeTask task)
    {
        ArgumentNullException.ThrowIfNull(activations);
        ArgumentNullException.ThrowIfNull(labels);
        if (activations.dim() != 2)
            throw new ArgumentException($"activations must be [n, d], but have shape [{string.Join(", ", activations.shape)}].", nameof(activations));
        if (labels.dim() != 1 || labels.shape[0] != activations.shape[0])
            throw new ArgumentException(
                $"labels must be [n] with n = {activations.shape[0]} (one per activation row), but have shape [{string.Join(", ", labels.shape)}].", nameof(labels));
        if (activations.shape[0] < 4)
            throw new ArgumentException($"A probe needs at least 4 rows to train and test on, but got {activations.shape[0]}.", nameof(activations));
        if (task == ProbeTask.Regression) return;
        var values = ToArray(labels);
        if (values.Any(v => v < 0 || v != MathF.Floor(v)))
            throw new ArgumentException("Classification labels must be class indices 0, 1, 2, ...; use ProbeTask.Regression for a continuous target.", nameof(labels));
        if (task == ProbeTask.Binary && values.Any(v => v > 1))
            throw new ArgumentException("Binary labels must be 0 or 1; use ProbeTask.Multiclass for more classes.", nameof(labels));
        if (values.Distinct().Count() < 2)
            throw new ArgumentException("Every label is the same class: a classifier needs examples of at least two classes.", nameof(labels));
    }
}

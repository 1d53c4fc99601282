using static TorchSharp.torch;

namespace InterpKernel.Analysis;

/// <summary>
/// k-sparse probing (Gurnee et al., "Finding neurons in a haystack"): choose k neurons, fit a logistic probe on those
/// alone, and report held-out accuracy for every k, so one sees whether a binary feature lives in one neuron or is
/// spread out. Neurons are chosen on the training rows only, by the difference of class means and by the order they
/// enter an L1 regularisation path.
/// </summary>
/// <example>
/// <code>
/// using var data = ActivationCollector.Collect(model, "blocks.1.mlp.hook_post", prompts, labels);
/// var result = SparseProbe.Fit(data.Activations, data.Labels, [1, 2, 4, 8, 16]);
/// Console.WriteLine($"best single neuron: {result.TopNeuron}\n{result}");
/// </code>
/// </example>
public static class SparseProbe
{
    /// <summary>Fits k-sparse binary probes for every k in <paramref name="ks"/> on activations <c>[n, d]</c> and 0/1 labels <c>[n]</c>.</summary>
    public static SparseProbeResult Fit(Tensor activations, Tensor labels, IReadOnlyList<int> ks, ProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(ks);
        var opts = (options ?? new ProbeOptions()).Validate();
        ProbeMath.CheckData(activations, labels, ProbeTask.Binary);
        long d = activations.shape[1];
        if (ks.Count == 0) throw new ArgumentException("Give at least one k.", nameof(ks));
        foreach (int k in ks)
            if (k < 1 || k > d) throw new ArgumentException($"k = {k} is out of range: choose between 1 and {d} neurons.", nameof(ks));
        var (train, test) = ProbeMath.Split((int)activations.shape[0], opts.TestFraction, opts.Seed);

        int kMax = ks.Max();
        int[] byMean, byL1;
        using (var scope = NewDisposeScope())
        {
            var x = activations.detach().to(ScalarType.Float32);
            var y = labels.detach().to(ScalarType.Float32, x.device);
            var idx = tensor(train, ScalarType.Int64, x.device);
            var xt = x.index_select(0, idx);
            var yt = y.index_select(0, idx);
            byMean = MeanDifferenceRanking(xt, yt);
            byL1 = L1PathRanking(xt, yt, kMax);
        }

        var rows = new List<SparseProbeRow>();
        foreach (var (method, ranking) in new[] { ("mean_difference", byMean), ("l1_path", byL1) })
            foreach (int k in ks)
            {
                using var scope = NewDisposeScope();
                var chosen = ranking.Take(k).ToArray();
                var columns = activations.index_select(1, tensor(chosen.Select(c => (long)c).ToArray(), ScalarType.Int64, activations.device));
                using var probe = LinearProbe.Train(columns, labels, ProbeTask.Binary, opts, train, test);
                rows.Add(new SparseProbeRow(method, k, chosen, probe.Metrics.TestAccuracy, probe.Metrics.TestAuc));
            }
        return new SparseProbeResult(rows, byMean, byL1);
    }

    /// <summary>Fits k-sparse probes on the first collected hook of <paramref name="data"/> (or <paramref name="hookName"/>).</summary>
    public static SparseProbeResult Fit(LabelledActivations data, IReadOnlyList<int> ks, ProbeOptions? options = null, string? hookName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Fit(hookName is null ? data.Activations : data[hookName], data.Labels, ks, options);
    }

    static int[] MeanDifferenceRanking(Tensor x, Tensor y)
    {
        var pos = y.eq(1f);
        var diff = (x[pos].mean([0]) - x[pos.logical_not()].mean([0])).abs();
        return ProbeMath.ToArray(diff.argsort(descending: true).to(ScalarType.Float32)).Select(v => (int)v).ToArray();
    }

    /// <summary>
    /// Proximal-gradient (ISTA) logistic regression on standardised features along a decreasing L1 penalty, with warm
    /// starts; a neuron's rank is the penalty step at which its weight first becomes non-zero.
    /// </summary>
    static int[] L1PathRanking(Tensor x, Tensor y, int wanted)
    {
        long n = x.shape[0], d = x.shape[1];
        var z = (x - x.mean([0])) / x.std(0, unbiased: false).clamp_min(1e-6);
        double sigmaMax = linalg.svdvals(z)[0].item<float>();
        double step = 1.0 / Math.Max(0.25 * sigmaMax * sigmaMax / n, 1e-6);
        double yMean = y.mean().item<float>();
        double lambdaMax = (z.t().matmul(y - yMean) / n).abs().max().item<float>();
        var w = zeros(d, ScalarType.Float32, x.device);
        var b = tensor((float)Math.Log(yMean / (1 - yMean)), ScalarType.Float32, x.device);
        var entered = Enumerable.Repeat(int.MaxValue, (int)d).ToArray();
        const int Steps = 40;
        for (int t = 0; t < Steps && entered.Count(e => e != int.MaxValue) < wanted; t++)
        {
            double lambda = lambdaMax * Math.Pow(1e-3, (t + 1) / (double)Steps);
            for (int iter = 0; iter < 60; iter++)
            {
                using var inner = NewDisposeScope();
                var residual = (z.matmul(w) + b).sigmoid() - y; // [n]
                var grad = z.t().matmul(residual) / n;
                var moved = w - grad * step;
                var shrunk = moved.sign() * (moved.abs() - step * lambda).clamp_min(0);
                w.copy_(shrunk);
                b.sub_(residual.mean() * step);
            }
            var active = ProbeMath.ToArray(w.abs());
            for (int f = 0; f < d; f++) if (active[f] > 0 && entered[f] == int.MaxValue) entered[f] = t;
        }
        var magnitude = ProbeMath.ToArray(w.abs());
        return Enumerable.Range(0, (int)d).OrderBy(f => entered[f]).ThenByDescending(f => magnitude[f]).ToArray();
    }
}

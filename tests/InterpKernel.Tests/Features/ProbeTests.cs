using InterpKernel.Analysis;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Features;

public class ProbeTests(ITestOutputHelper output)
{
    static (Tensor X, Tensor Y, Tensor Direction) Planted(int n, int d, int seed, float strength = 1.5f)
    {
        var gen = new Generator((ulong)seed);
        var direction = randn([d], generator: gen);
        direction /= direction.norm();
        var y = (rand([n], generator: gen) > 0.5f).to(ScalarType.Float32);
        var x = randn([n, d], generator: gen) + (y * 2 - 1).unsqueeze(1) * direction * strength;
        return (x, y, direction);
    }

    [Fact]
    public void A_logistic_probe_recovers_a_planted_direction()
    {
        using var scope = NewDisposeScope();
        var (x, y, direction) = Planted(1200, 32, seed: 1);
        using var probe = LinearProbe.Train(x, y, ProbeTask.Binary, new ProbeOptions { Seed = 3 });
        double cosine = FeatureTestData.Cosine(probe.Direction, direction);
        output.WriteLine($"cosine {cosine:F4}, {probe.Metrics}");
        Assert.True(cosine > 0.9, $"cosine with the planted direction is {cosine:F3}");
        Assert.True(probe.Metrics.TestAccuracy > 0.9, $"held-out accuracy {probe.Metrics.TestAccuracy:F3}");
        Assert.True(probe.Metrics.TestAuc > 0.95, $"held-out AUC {probe.Metrics.TestAuc:F3}");
        Assert.Equal(240, probe.Metrics.TestRows);
        Assert.Equal([1L, 32L], probe.Weight.shape);
    }

    [Fact]
    public void A_ridge_probe_recovers_a_planted_continuous_feature()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(5);
        var direction = randn([24], generator: gen);
        direction /= direction.norm();
        var target = randn([800], generator: gen) * 3;
        var x = randn([800, 24], generator: gen) * 0.5f + target.unsqueeze(1) * direction;
        using var probe = LinearProbe.Train(x, target, ProbeTask.Regression);
        double cosine = FeatureTestData.Cosine(probe.Direction, direction);
        Assert.True(cosine > 0.9, $"cosine {cosine:F3}");
        Assert.True(probe.Metrics.TestR2 > 0.9, $"held-out R² {probe.Metrics.TestR2:F3}");
        Assert.True(double.IsNaN(probe.Metrics.TestAccuracy));
        var predicted = probe.Predict(x);
        Assert.Equal([800L], predicted.shape);
    }

    [Fact]
    public void A_multiclass_probe_separates_three_planted_clusters()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(9);
        var centres = randn([3, 16], generator: gen) * 2;
        var labels = randint(0, 3, [900], generator: gen);
        var x = randn([900, 16], generator: gen) + centres.index_select(0, labels);
        using var probe = LinearProbe.Train(x, labels.to(ScalarType.Float32), ProbeTask.Multiclass);
        Assert.True(probe.Metrics.TestAccuracy > 0.9, $"held-out accuracy {probe.Metrics.TestAccuracy:F3}");
        Assert.Equal([3L, 16L], probe.Weight.shape);
        Assert.Throws<InvalidOperationException>(() => probe.Direction);
        Assert.Equal([900L, 3L], probe.Predict(x).shape);
    }

    [Fact]
    public void Probe_inputs_that_do_not_fit_are_refused_with_the_reason()
    {
        using var scope = NewDisposeScope();
        var x = randn(10, 4);
        var e = Assert.Throws<ArgumentException>(() => LinearProbe.Train(x, zeros(9), ProbeTask.Binary));
        Assert.Contains("one per activation row", e.Message);
        e = Assert.Throws<ArgumentException>(() => LinearProbe.Train(x, full(10, 2f), ProbeTask.Binary));
        Assert.Contains("Multiclass", e.Message);
        e = Assert.Throws<ArgumentException>(() => LinearProbe.Train(x, zeros(10), ProbeTask.Binary));
        Assert.Contains("two classes", e.Message);
    }

    [Fact]
    public void Sparse_probing_names_the_single_neuron_that_carries_a_feature()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(11);
        var y = (rand([1000], generator: gen) > 0.5f).to(ScalarType.Float32);
        var x = randn([1000, 64], generator: gen);
        x[.., 17] += (y * 2 - 1) * 2.5f; // neuron 17 carries the label
        var result = SparseProbe.Fit(x, y, [1, 2, 8]);
        output.WriteLine(result.ToString());
        Assert.Equal(17, result.TopNeuron);
        Assert.Equal(17, result.L1Ranking[0]);
        var k1 = result.Rows.Where(r => r.K == 1).ToList();
        Assert.Equal(2, k1.Count);
        Assert.All(k1, r => Assert.True(r.TestAccuracy > 0.9, $"{r.Method} k=1 accuracy {r.TestAccuracy:F3}"));
        Assert.Equal(6, result.ToDataFrame().Rows.Count);
    }

    [Fact]
    public void A_repeated_span_probe_reads_the_repeat_in_layer_1_and_not_in_layer_0_and_reports_every_layer()
    {
        using var model = FeatureTestData.Model();
        var (sequences, label) = FeatureTestData.RepeatedSpans(model, count: 120, seed: 2);
        string[] resid = [HookNames.Of("resid_post", 0), HookNames.Of("resid_post", 1)];
        string[] attn = [HookNames.Of("attn_out", 0), HookNames.Of("attn_out", 1)];
        using var data = ActivationCollector.Collect(model, [.. resid, .. attn], sequences, label);
        var options = new ProbeOptions { Seed = 1 };
        using var sweep = ProbeSweep.Run(data, ProbeTask.Binary, options);
        output.WriteLine(sweep.Table.ToString());

        Assert.Equal(4, sweep.Table.Rows.Count);
        Assert.Equal([0, 1, 0, 1], sweep.Table["layer"].Cast<int>());
        Assert.Equal(sweep.Probes[resid[1]].Metrics.TestAccuracy, (double)sweep.Table["test_accuracy"][1]);
        // The classes are balanced by construction, so the majority baseline is about one half.
        double positives = data.Labels.mean().item<float>();
        Assert.InRange(positives, 0.45, 0.55);
        double majority = Math.Max(positives, 1 - positives);

        var (_, test) = ProbeMath.Split(data.Count, options.TestFraction, options.Seed);
        foreach (var hook in data.HookNames)
        {
            var m = sweep.Probes[hook].Metrics;
            output.WriteLine($"{hook}: accuracy {m.TestAccuracy:F3}, balanced {BalancedAccuracy(sweep.Probes[hook], data[hook], data.Labels, test):F3}, AUC {m.TestAuc:F3} (train {m.TrainAccuracy:F3}, majority {majority:F3})");
        }

        // Measured (seed 2, 1,397 rows, 279 held out): layer-1 resid_post 0.835 accuracy / 0.912 AUC against 0.566 /
        // 0.583 in layer 0; layer-1 attn_out 0.875 / 0.950 against 0.677 / 0.763. Over data seeds 1-5 and 120-160
        // sequences layer 1 stays at 0.80-0.89 accuracy (AUC 0.90-0.96) and layer 0's residual stream at 0.51-0.63.
        // The model itself tells the classes apart almost perfectly (next-token loss 0.5 on repeats, 10.7 on fresh
        // tokens), but a linear read-out tops out near 0.9 even on its own training rows: when nothing matches, the
        // induction heads (1.1, 1.3, 1.4) spread their attention over the context instead of parking it on BOS
        // (BOS share 0.09), so a repeat shows mostly as a more concentrated, larger head output (|z| of head 1.1:
        // 1.70 vs 1.14) around the same mean, which no single direction separates completely.
        var layer0 = sweep.Probes[resid[0]].Metrics;
        var layer1 = sweep.Probes[resid[1]].Metrics;
        double balanced1 = BalancedAccuracy(sweep.Probes[resid[1]], data[resid[1]], data.Labels, test);
        Assert.True(layer1.TestAccuracy >= 0.8, $"layer-1 held-out accuracy {layer1.TestAccuracy:F3}");
        Assert.True(balanced1 >= 0.8, $"layer-1 held-out balanced accuracy {balanced1:F3}");
        Assert.True(layer1.TestAuc >= 0.9, $"layer-1 held-out AUC {layer1.TestAuc:F3}");
        Assert.True(layer1.TestAccuracy > majority + 0.25, $"layer-1 accuracy {layer1.TestAccuracy:F3} vs majority {majority:F3}");
        Assert.True(layer0.TestAuc < 0.7, $"layer 0 has no induction heads yet reads the repeat with AUC {layer0.TestAuc:F3}");
        Assert.True(layer1.TestAccuracy > layer0.TestAccuracy + 0.15,
            $"layer 1 ({layer1.TestAccuracy:F3}) should read the repeat far better than layer 0 ({layer0.TestAccuracy:F3})");
        var attn1 = sweep.Probes[attn[1]].Metrics;
        Assert.True(attn1.TestAccuracy >= 0.85 && attn1.TestAuc >= 0.93,
            $"layer-1 attention output: accuracy {attn1.TestAccuracy:F3}, AUC {attn1.TestAuc:F3}");
        Assert.True(attn1.TestAuc > sweep.Probes[attn[0]].Metrics.TestAuc + 0.1, "layer 1's attention carries the repeat, layer 0's much less");
    }

    /// <summary>Mean of the per-class recalls on the held-out rows, so an unbalanced split cannot flatter the probe.</summary>
    static double BalancedAccuracy(LinearProbe probe, Tensor activations, Tensor labels, long[] rows)
    {
        using var scope = NewDisposeScope();
        var idx = tensor(rows);
        var predicted = (probe.Predict(activations.index_select(0, idx)) >= 0.5f).to(ScalarType.Float32);
        var y = labels.index_select(0, idx);
        double recall1 = (predicted * y).sum().item<float>() / y.sum().item<float>();
        double recall0 = ((1 - predicted) * (1 - y)).sum().item<float>() / (1 - y).sum().item<float>();
        return (recall1 + recall0) / 2;
    }
}

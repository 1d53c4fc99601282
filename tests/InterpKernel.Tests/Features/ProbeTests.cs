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
    public void A_repeated_span_probe_reads_the_repeat_best_in_layer_1_and_reports_every_layer()
    {
        using var model = FeatureTestData.Model();
        var (sequences, label) = FeatureTestData.RepeatedSpans(model, count: 80, seed: 2);
        var hooks = Enumerable.Range(0, model.Config.NLayers).Select(l => HookNames.Of("resid_post", l)).ToArray();
        using var data = ActivationCollector.Collect(model, hooks, sequences, label);
        Assert.Equal(sequences.Sum(s => s.Count - 2), data.Count);
        using var sweep = ProbeSweep.Run(data, ProbeTask.Binary, new ProbeOptions { Seed = 1 });
        output.WriteLine(sweep.Table.ToString());
        foreach (var (hook, probe) in sweep.Probes) output.WriteLine($"{hook}: {probe.Metrics}");
        Assert.Equal(2, sweep.Table.Rows.Count);
        double majority = Math.Max(data.Labels.mean().item<float>(), 1 - data.Labels.mean().item<float>());
        var layer0 = sweep.Probes[hooks[0]].Metrics;
        var layer1 = sweep.Probes[hooks[1]].Metrics;
        Assert.Equal(1, sweep.Table["layer"][1]);
        Assert.Equal(layer1.TestAccuracy, (double)sweep.Table["test_accuracy"][1]);
        output.WriteLine($"majority-class accuracy {majority:F3}");
        // Measured: layer 1 0.78 held-out accuracy (AUC 0.83) against a majority baseline of 0.69; layer 0 0.72 (AUC 0.76).
        Assert.True(layer1.TestAccuracy > majority + 0.05, $"layer-1 held-out accuracy {layer1.TestAccuracy:F3} vs majority {majority:F3}");
        Assert.True(layer1.TestAuc > 0.8, $"layer-1 held-out AUC {layer1.TestAuc:F3}");
        Assert.True(layer1.TestAuc > layer0.TestAuc, $"layer 1 (AUC {layer1.TestAuc:F3}) should read the repeat better than layer 0 ({layer0.TestAuc:F3})");
    }
}

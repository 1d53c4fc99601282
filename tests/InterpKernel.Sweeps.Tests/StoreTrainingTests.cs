using System.Text.Json.Nodes;
using InterpKernel.Analysis;
using InterpKernel.Loading;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace InterpKernel.Sweeps.Tests;

public class StoreTrainingTests(ITestOutputHelper output)
{
    private const string Hook = "blocks.0.hook_resid_post";

    /// <summary>Writes a store as collect-activations does: one safetensors file per unit (the hook and <c>tokens</c>) and index.json.</summary>
    private static ActivationStore WriteStore(string name, IReadOnlyList<(Tensor Rows, Tensor Tokens)> files)
    {
        string folder = Path.Combine(TestPaths.NewFolder(name), "activations");
        Directory.CreateDirectory(folder);
        var entries = new JsonArray();
        for (int i = 0; i < files.Count; i++)
        {
            string file = $"unit-{i:D6}.safetensors";
            SafeTensorsWriter.Save(Path.Combine(folder, file), [KeyValuePair.Create(Hook, files[i].Rows), KeyValuePair.Create("tokens", files[i].Tokens)]);
            entries.Add(new JsonObject { ["path"] = file, ["rows"] = files[i].Rows.shape[0] });
        }
        var index = new JsonObject
        {
            ["format"] = ActivationStore.Format,
            ["hooks"] = new JsonObject { [Hook] = files[0].Rows.shape[1] },
            ["rows"] = files.Sum(f => f.Rows.shape[0]),
            ["files"] = entries,
        };
        File.WriteAllText(Path.Combine(folder, "index.json"), index.ToJsonString());
        return ActivationStore.Open(folder);
    }

    /// <summary>Rows that are sparse sums of a few of 32 directions in 16 dimensions (what an SAE can learn).</summary>
    private static ActivationStore SparseStore()
    {
        var generator = new Generator(1);
        var directions = randn(32, 16, generator: generator);
        directions /= directions.norm(1, keepdim: true);
        var files = new List<(Tensor, Tensor)>();
        for (int f = 0; f < 4; f++)
        {
            var mask = rand(1024, 32, generator: generator).lt(3.0 / 32).to(ScalarType.Float32);
            var rows = (mask * (rand(1024, 32, generator: generator) + 0.5)).matmul(directions) + 0.01 * randn(1024, 16, generator: generator);
            files.Add((rows.contiguous(), randint(0, 100, [1024], dtype: ScalarType.Int64, generator: generator)));
        }
        return WriteStore("sae-store", files);
    }

    private sealed class Losses : IProgress<SaeTrainingProgress>
    {
        public List<double> Values { get; } = [];

        public void Report(SaeTrainingProgress value) => Values.Add(value.Loss);
    }

    [Fact]
    public void An_sae_trains_from_a_store_stream_holding_only_a_few_batches()
    {
        var store = SparseStore();
        const int batch = 128, bufferRows = 512, steps = 24;
        var yielded = new List<Tensor>();
        long rowsRead = 0, mostLiveRows = 0;
        IEnumerable<Tensor> Counted()
        {
            foreach (var b in store.Batches(Hook, batch, bufferRows, seed: 3))
            {
                // Rows the consumer still holds (batches not yet disposed) when it asks for the next one.
                mostLiveRows = Math.Max(mostLiveRows, yielded.Where(t => !t.IsInvalid).Sum(t => t.shape[0]) + b.shape[0]);
                rowsRead += b.shape[0];
                yielded.Add(b);
                yield return b;
            }
        }
        var losses = new Losses();
        var options = new SaeTrainingOptions { DSae = 64, K = 4, Steps = steps, LearningRate = 3e-3, ProgressEvery = 1 };
        var (sae, report) = SaeTrainer.Train(Counted(), Hook, options, losses);
        using (sae)
        {
            Assert.Equal(steps, report.Steps);
            Assert.Equal(steps, losses.Values.Count);
            Assert.True(losses.Values.TakeLast(4).Average() < 0.8 * losses.Values.Take(4).Average(), string.Join(", ", losses.Values));
            Assert.Equal(16, sae.Config.DIn);
            Assert.Equal(Hook, sae.Config.HookName);
            Assert.True(report.Evaluation.ExplainedVariance > 0.3, report.ToString());
            Assert.True(double.IsNaN(report.Evaluation.CeLossRecovered));
        }
        output.WriteLine($"losses {string.Join(", ", losses.Values.Select(v => v.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}; {report}; most rows alive {mostLiveRows}");
        // Read lazily: one held-out batch and one per step, not the whole store; at most three batches alive at once.
        Assert.Equal((steps + 1) * batch, rowsRead);
        Assert.True(rowsRead < store.Rows);
        Assert.True(mostLiveRows <= 3 * batch && mostLiveRows <= bufferRows, $"{mostLiveRows} rows alive at once");
        Assert.All(yielded.Take(yielded.Count - 1), t => Assert.True(t.IsInvalid));
    }

    [Fact]
    public void An_sae_trains_from_a_store_over_several_passes()
    {
        var store = SparseStore();
        var options = new SaeTrainingOptions { DSae = 64, K = 4, Steps = 40, BatchTokens = 256, LearningRate = 3e-3 };
        var (sae, report) = SaeTrainer.Train(store, Hook, options, bufferRows: 1024);
        using (sae)
        {
            output.WriteLine(report.ToString());
            Assert.Equal(40, report.Steps);
            Assert.Equal(40L * 256, report.Tokens); // more than the 4096 rows stored: the store was read again
            Assert.True(report.Evaluation.ExplainedVariance > 0.5, report.ToString());
        }
        Assert.Contains("is not in the store", Assert.Throws<ArgumentException>(() => SaeTrainer.Train(store, "blocks.9.hook_resid_post")).Message);
    }

    [Fact]
    public void A_probe_fits_from_store_batches_paired_with_labels_from_the_stored_tokens()
    {
        // Rows carry the parity of their token along one direction, plus noise of the same size in every direction.
        var generator = new Generator(2);
        var direction = randn(8, generator: generator);
        direction /= direction.norm();
        var files = new List<(Tensor, Tensor)>();
        for (int f = 0; f < 3; f++)
        {
            var tokens = randint(0, 1000, [700], dtype: ScalarType.Int64, generator: generator);
            var sign = tokens.remainder(2).to(ScalarType.Float32) * 2 - 1;
            files.Add(((randn(700, 8, generator: generator) + 2 * sign.unsqueeze(1) * direction).contiguous(), tokens));
        }
        var store = WriteStore("probe-store", files);

        var batches = store.Batches(Hook, 100, seed: null).Zip(store.TokenBatches(100), (x, t) => (x, t.remainder(2)));
        using var probe = LinearProbe.Train(batches, ProbeTask.Binary, new ProbeOptions { LearningRate = 0.1 });
        output.WriteLine(probe.Metrics.ToString());
        Assert.True(probe.Metrics.TestAccuracy > 0.9, probe.Metrics.ToString());
        Assert.True(probe.Metrics.TestAuc > 0.95, probe.Metrics.ToString());
        Assert.Equal(2100, probe.Metrics.TrainRows + probe.Metrics.TestRows);
        Assert.Equal(400, probe.Metrics.TestRows); // every fifth of the 21 batches: 5, 10, 15 and 20
        Assert.Equal(17, probe.Metrics.Epochs);
        using var cosine = probe.Direction.dot(direction);
        Assert.True(cosine.item<float>() > 0.9, $"cosine {cosine.item<float>()}");
    }

    [Fact]
    public void A_collect_activations_store_trains_an_sae_and_pairs_its_rows_with_their_tokens()
    {
        string folder = TestPaths.NewFolder("collect-train");
        var spec = SweepSpec.Load(TestPaths.WriteSpec(folder, "spec.json",
            $"{{ \"model\": {{ \"path\": {TestPaths.Json(TestPaths.Model)} }}, \"analysis\": \"collect-activations\", " +
            $"\"inputs\": {{ \"text\": [{TestPaths.Json(TestPaths.Text("fortunes.txt"))}] }}, \"options\": {{ \"hooks\": [\"{Hook}\"], \"unitBytes\": 8192 }} }}"));
        Sweep.Run(spec, Path.Combine(folder, "out"));
        var store = ActivationStore.Open(Path.Combine(folder, "out", "activations"));
        Assert.True(store.Files > 1);

        var tokenBatches = store.TokenBatches(500).ToList();
        Assert.Equal(store.Rows, tokenBatches.Sum(t => t.shape[0]));
        Assert.Equal(store.Batches(Hook, 500, seed: null).Select(b => b.shape[0]), tokenBatches.Select(t => t.shape[0]));

        var (sae, report) = SaeTrainer.Train(store, Hook, new SaeTrainingOptions { DSae = 256, K = 8, Steps = 30, BatchTokens = 256 }, bufferRows: 2048);
        using (sae)
        {
            output.WriteLine(report.ToString());
            Assert.Equal(30, report.Steps);
            Assert.Equal(128, sae.Config.DIn);
            Assert.True(report.Evaluation.ExplainedVariance > 0.2, report.ToString());
        }
    }
}

using InterpKernel.Analysis;
using static TorchSharp.torch;

namespace InterpKernel.Sweeps.Tests;

public class AnalysisSweepTests
{
    private static string ModelJson => $"\"model\": {{ \"path\": {TestPaths.Json(TestPaths.Model)} }}";

    private static string TextJson => $"\"inputs\": {{ \"text\": [{TestPaths.Json(TestPaths.Text("fortunes.txt"))}] }}";

    private static (System.Text.Json.Nodes.JsonObject Single, System.Text.Json.Nodes.JsonObject Merged, string Folder) SingleAndSharded(string name, string json, int shards)
    {
        string folder = TestPaths.NewFolder(name);
        var spec = SweepSpec.Load(TestPaths.WriteSpec(folder, "spec.json", json));
        var single = Sweep.Run(spec, Path.Combine(folder, "one"));
        for (int i = shards - 1; i >= 0; i--) Sweep.RunShard(spec, i, shards, Path.Combine(folder, "many"));
        return (single, Sweep.Merge(Path.Combine(folder, "many")), folder);
    }

    [Fact]
    public void A_sharded_neuron_scan_merges_into_the_single_run()
    {
        var (single, merged, _) = SingleAndSharded("scan",
            $"{{ {ModelJson}, \"analysis\": \"neuron-scan\", {TextJson}, \"options\": {{ \"layer\": 1, \"neurons\": [3, 17], \"histogramRange\": [-0.5, 3], \"topK\": 8, \"unitBytes\": 4096, \"reservoirSize\": 500 }} }}", 4);
        SameResult.NeuronScan(single, merged);
        var scans = NeuronScanSweep.Results(merged["checkpoints"]![0]!["result"]!);
        Assert.All(scans[0].TopExamples, e => Assert.EndsWith("fortunes.txt", e.Source));
        Assert.False(scans[0].Statistics.QuantilesExact);
    }

    [Fact]
    public void A_single_unit_sweep_equals_ActivationScan_over_the_file()
    {
        string folder = TestPaths.NewFolder("scan1");
        var spec = SweepSpec.Load(TestPaths.WriteSpec(folder, "spec.json",
            $"{{ {ModelJson}, \"analysis\": \"neuron-scan\", {TextJson}, \"options\": {{ \"layer\": 1, \"neurons\": [5], \"histogramRange\": [-0.5, 3], \"topK\": 5, \"unitBytes\": 10000000 }} }}"));
        var sweep = NeuronScanSweep.Results(Sweep.Run(spec, Path.Combine(folder, "out"))["checkpoints"]![0]!["result"]!)[0];
        using var model = HookedTransformer.FromPretrained(TestPaths.Model);
        var direct = ActivationScan.Run(model, ActivationSite.Neuron(1, 5), TokenSource.FromTextFile(model, TestPaths.Text("fortunes.txt")),
            new ScanOptions { TopK = 5, HistogramRange = (-0.5, 3), ReservoirSize = 10_000 });
        Assert.Equal(direct.Tokens, sweep.Tokens);
        Assert.Equal(direct.Statistics.Mean, sweep.Statistics.Mean);
        Assert.Equal(direct.Statistics.Histogram.Counts, sweep.Statistics.Histogram.Counts);
        Assert.Equal(direct.TopExamples.Select(e => (e.Activation, e.Line)), sweep.TopExamples.Select(e => (e.Activation, e.Line)));
    }

    [Fact]
    public void A_sharded_patching_sweep_gives_the_single_runs_tensors_pair_by_pair()
    {
        string folder = TestPaths.NewFolder("pairs");
        string pairs = Path.Combine(folder, "pairs.jsonl");
        File.WriteAllLines(pairs, File.ReadLines(TestPaths.Fixture("pairs.jsonl")).Take(6));
        var (single, merged, _) = SingleAndSharded("patch",
            $"{{ {ModelJson}, \"analysis\": \"patching\", \"inputs\": {{ \"pairs\": {TestPaths.Json(pairs)} }}, \"options\": {{ \"target\": \"heads\" }} }}", 4);
        SameResult.Patching(single, merged, 6);
        var heat = PatchingSweep.Results(merged["checkpoints"]![0]!["result"]!);
        Assert.Equal(["L0", "L1"], heat[0].RowLabels);
        Assert.Equal(8, heat[0].ColumnLabels.Length);
        foreach (var h in heat) h.Dispose();
    }

    [Fact]
    public void Head_scores_merge_within_1e9_of_the_single_run()
    {
        var (single, merged, _) = SingleAndSharded("heads",
            $"{{ {ModelJson}, \"analysis\": \"head-scores\", {TextJson}, \"options\": {{ \"seqLen\": 32, \"unitBytes\": 6000 }} }}", 3);
        var e = single["checkpoints"]![0]!["result"]!;
        var a = merged["checkpoints"]![0]!["result"]!;
        Assert.Equal(e["sequences"]!.GetValue<long>(), a["sequences"]!.GetValue<long>());
        foreach (var name in new[] { "previous-token", "duplicate-token" })
        {
            var x = e["scores"]![name]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            var y = a["scores"]![name]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
            Assert.Equal(16, x.Length);
            for (int i = 0; i < x.Length; i++) Assert.Equal(x[i], y[i], 1e-9 * Math.Max(1e-12, Math.Abs(x[i])));
        }
    }

    [Fact]
    public void Collected_activations_form_a_store_read_as_a_stream_in_order_or_shuffled()
    {
        var (single, merged, folder) = SingleAndSharded("collect",
            $"{{ {ModelJson}, \"analysis\": \"collect-activations\", {TextJson}, \"options\": {{ \"hooks\": [\"blocks.0.hook_resid_post\", \"blocks.1.mlp.hook_post\"], \"unitBytes\": 8192 }} }}", 2);
        var one = ActivationStore.Open(Path.Combine(folder, "one", "activations", "index.json"));
        var many = ActivationStore.Open(Path.Combine(folder, "many", "activations"));
        Assert.Equal(one.Rows, many.Rows);
        Assert.Equal(128, many.Width("blocks.0.hook_resid_post"));
        Assert.Equal(512, many.Width("blocks.1.mlp.hook_post"));
        Assert.True(many.Files > 1);

        using var inOrderOne = cat(one.Batches("blocks.0.hook_resid_post", 1000, seed: null).ToList(), 0);
        using var inOrder = cat(many.Batches("blocks.0.hook_resid_post", 1000, seed: null).ToList(), 0);
        Assert.True(inOrderOne.eq(inOrder).all().item<bool>());
        var shuffledBatches = many.Batches("blocks.0.hook_resid_post", 1000, bufferRows: 2000, seed: 7).ToList();
        Assert.True(shuffledBatches.Take(shuffledBatches.Count - 1).All(b => b.shape[0] == 1000));
        using var shuffled = cat(shuffledBatches, 0);
        Assert.Equal(inOrder.shape, shuffled.shape);
        Assert.False(inOrder.eq(shuffled).all().item<bool>());
        // The same rows, in another order: sorting by the first column and then comparing row sums.
        using var a = inOrder.index_select(0, inOrder[.., 0].argsort());
        using var b = shuffled.index_select(0, shuffled[.., 0].argsort());
        Assert.True(a.sum(1).allclose(b.sum(1)));
        Assert.Contains("is not in the store", Assert.Throws<ArgumentException>(() => many.Width("blocks.9.hook_resid_post")).Message);
        Assert.Equal(one.Rows, single["checkpoints"]![0]!["result"]!["rows"]!.GetValue<long>());
    }
}

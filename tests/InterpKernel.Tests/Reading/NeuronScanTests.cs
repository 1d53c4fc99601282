using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Reading;

public class NeuronScanTests : IClassFixture<Kjv2lFixture>
{
    readonly HookedTransformer _model;

    public NeuronScanTests(Kjv2lFixture fixture) => _model = fixture.Model;

    static readonly string[] Verses =
    [
        "In the beginning God created the heaven and the earth.",
        "And the earth was without form, and void; and darkness was upon the face of the deep.",
        "And God said, Let there be light: and there was light.",
    ];

    [Fact]
    public void A_text_file_is_packed_into_chunks_with_BOS_and_line_numbers()
    {
        string path = Path.Combine(Path.GetTempPath(), $"reading-{Guid.NewGuid():N}.txt");
        File.WriteAllLines(path, Verses);
        try
        {
            var chunks = TokenSource.FromTextFile(_model, path, chunkTokens: 16).ToList();
            Assert.All(chunks, c => Assert.True(c.Ids.Length <= 16 && c.Ids[0] == 50256 && c.StartsWithBos));
            var tok = _model.Tokenizer!;
            var expected = Verses.SelectMany(v => tok.Encode(v, prependBos: false).Concat(tok.Encode("\n", prependBos: false))).ToArray();
            Assert.Equal(expected, chunks.SelectMany(c => c.Ids.Skip(1)).ToArray());
            Assert.Equal(Enumerable.Range(0, chunks.Count).Select(i => (long)i), chunks.Select(c => c.Document));
            Assert.Equal(1, chunks[0].Lines![1]);
            Assert.Equal(3, chunks[^1].Lines![^1]);
            Assert.Throws<ArgumentException>(() => TokenSource.FromTextFile(_model, path, chunkTokens: 1000));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_scan_matches_the_activations_of_a_cached_forward_pass()
    {
        using var scope = NewDisposeScope();
        var site = ActivationSite.Neuron(1, 17);
        var result = ActivationScan.Run(_model, site, TokenSource.FromPrompts(_model, Verses), new ScanOptions { TopK = 3, Window = 3, BatchSize = 2 });

        var direct = new List<(float Value, int Doc, int Pos)>();
        for (int d = 0; d < Verses.Length; d++)
        {
            var (logits, cache) = _model.RunWithCache(_model.ToTokens(Verses[d]), n => n == site.HookName);
            using (cache)
            {
                var acts = cache[site.HookName][0, 1.., 17].data<float>().ToArray(); // BOS left out
                direct.AddRange(acts.Select((v, i) => (v, d, i + 1)));
            }
        }
        var values = direct.Select(x => (double)x.Value).ToArray();
        double mean = values.Average();
        Assert.Equal(values.Length, result.Tokens);
        Assert.Equal(mean, result.Statistics.Mean, 5);
        Assert.Equal(Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)), result.Statistics.Std, 5);
        Assert.Equal(values.Count(v => v > 0) / (double)values.Length, result.Statistics.FractionActive, 10);
        Assert.True(result.Statistics.QuantilesExact);

        var best = direct.OrderByDescending(x => x.Value).First();
        var top = result.TopExamples[0];
        Assert.Equal(best.Value, top.Activation, 4);
        Assert.Equal(best.Doc, top.Document);
        Assert.Equal(best.Pos, top.Position);
        var strTokens = _model.ToStrTokens(Verses[best.Doc]);
        Assert.Equal(strTokens[best.Pos], top.Token);
        Assert.Equal(3, result.TopExamplesFrame().Rows.Count);
    }

    [Fact]
    public void Any_hook_and_index_can_be_scanned_and_bad_sites_are_named()
    {
        var source = TokenSource.FromPrompts(_model, Verses);
        var z = ActivationScan.Statistics(_model, new ActivationSite("blocks.0.attn.hook_z", 4, 3), source);
        Assert.True(z.Count > 0);
        var ex = Assert.Throws<ArgumentException>(() => ActivationScan.Statistics(_model, new ActivationSite("blocks.0.attn.hook_z", 4), source));
        Assert.Contains("blocks.0.attn.hook_z", ex.Message);
        var far = Assert.Throws<ArgumentException>(() => ActivationScan.Statistics(_model, ActivationSite.Neuron(0, 5000), source));
        Assert.Contains("5000", far.Message);
        Assert.Throws<ArgumentException>(() => new ActivationSite("blocks.0.attn.hook_pattern", 0));
    }

    [Fact]
    public void Two_prompt_sets_are_compared_on_shared_bins_with_cohens_d()
    {
        var first = TokenSource.FromPrompts(_model, Verses);
        var second = TokenSource.FromPrompts(_model, ["What is the meaning of this?", "A fool and his money are soon parted."]);
        var cmp = ActivationScan.Compare(_model, ActivationSite.Neuron(0, 3), first, second, new ScanOptions { Bins = 12 });
        var (a, b) = (cmp.First.Statistics, cmp.Second.Statistics);
        Assert.Equal(a.Histogram.Edges, b.Histogram.Edges);
        Assert.Equal(Math.Min(a.Min, b.Min), a.Histogram.Edges[0], 6);
        Assert.Equal(Math.Max(a.Max, b.Max), a.Histogram.Edges[^1], 6);
        Assert.Equal(a.Count, a.Histogram.Counts.Sum());
        double pooled = Math.Sqrt(((a.Count - 1) * a.Std * a.Std + (b.Count - 1) * b.Std * b.Std) / (a.Count + b.Count - 2));
        Assert.Equal((b.Mean - a.Mean) / pooled, cmp.CohensD, 10);
        Assert.Equal(12, cmp.HistogramFrame().Rows.Count);
    }

    [Fact]
    public void Scans_correlations_and_detectors_leave_no_live_tensors_behind()
    {
        var source = TokenSource.FromPrompts(_model, Verses);
        void All()
        {
            ActivationScan.Run(_model, ActivationSite.Neuron(1, 3), source, new ScanOptions { BatchSize = 2 });
            using (var corr = UniversalNeurons.Correlate(_model, _model, source, batchSize: 2)) { }
            CorrelatedNeurons.Groups(_model, 0, source, threshold: 0.9);
            HeadDetectors.Induction(_model, seqLen: 10, batch: 2, seed: 1).Dispose();
            RepeatedTokens.LossCurve(_model, seqLen: 10, batch: 2, seed: 1);
            CompositionScores.Compute(_model, CompositionKind.K).Dispose();
        }
        All(); // first use may create lasting state (rotary tables, caches)
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        All();
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void A_neurons_direct_logit_effect_is_its_output_row_times_the_unembedding()
    {
        using var scope = NewDisposeScope();
        var effect = NeuronLogits.DirectEffect(_model, 1, 42);
        ReadingAssert.Close(_model.Blocks[1].Mlp.WOut[42].matmul(_model.W_U), effect, 1e-5, "direct effect");
        var table = NeuronLogits.TopTokens(_model, 1, 42, k: 4);
        Assert.Equal(8, table.Rows.Count);
        var logits = table["logit"].Cast<float>().ToArray();
        Assert.Equal(effect.max().item<float>(), logits[0], 5);
        Assert.Equal(effect.min().item<float>(), logits[4], 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => NeuronLogits.DirectEffect(_model, 1, 512));
    }
}

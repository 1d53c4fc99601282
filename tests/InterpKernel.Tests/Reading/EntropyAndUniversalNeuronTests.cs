using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Reading;

public class EntropyAndUniversalNeuronTests : IClassFixture<Kjv2lFixture>
{
    readonly HookedTransformer _model;

    public EntropyAndUniversalNeuronTests(Kjv2lFixture fixture) => _model = fixture.Model;

    [Fact]
    public void The_null_space_fraction_is_one_for_the_bottom_singular_direction_and_small_for_the_top()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(5);
        var unembed = randn([8, 30], generator: g);
        var (u, _, _) = linalg.svd(unembed, fullMatrices: false);
        var writes = stack([u[.., 7] * 3, u[.., 0], u[.., 6] + u[.., 7]]);
        var fraction = NullSpaceFractionOf(unembed, writes, 2);
        ReadingAssert.Close(tensor(new[] { 1f, 0f, 1f }), fraction, 1e-5, "null-space fractions");
        var one = NullSpaceFractionOf(unembed, writes, 1);
        ReadingAssert.Close(tensor(new[] { 1f, 0f, 0.5f }), one, 1e-5, "with one null direction");
    }

    static Tensor NullSpaceFractionOf(Tensor unembed, Tensor writes, int dims) => EntropyNeurons.NullSpaceFraction(unembed, writes, dims);

    [Fact]
    public void The_ablation_effects_match_a_forward_pass_with_the_neuron_mean_ablated()
    {
        using var scope = NewDisposeScope();
        var tokens = _model.ToTokens("And God said, Let there be light: and there was light. And God saw the light");
        var table = EntropyNeurons.Analyze(_model, tokens, neurons: [7, 300]);
        Assert.Equal(2, table.Rows.Count);
        string post = "blocks.1.mlp.hook_post";

        (Tensor Scale, Tensor Entropy) Run(HookFunction? hook)
        {
            Tensor? scale = null;
            var hooks = new List<(string, HookFunction)> { ("ln_final.hook_scale", (s, _) => { scale = s[0, 1.., 0].clone().DetachFromDisposeScope(); return null; }) };
            if (hook is not null) hooks.Add((post, hook));
            using (_model.Hooks(hooks.ToArray()))
            {
                var logits = _model.Forward(tokens)[0, 1..];
                var lp = logits.log_softmax(-1);
                return (scale!, -(lp.exp() * lp).sum(-1));
            }
        }
        var (cleanScale, cleanEntropy) = Run(null);
        var (_, cache) = _model.RunWithCache(tokens, n => n == post);
        Tensor mean;
        using (cache) mean = cache[post][0, 1.., 300].mean().clone();
        var (scale, entropy) = Run((a, _) => { var c = a.clone(); c[.., .., 300] = mean; return c; });
        Assert.Equal((scale - cleanScale).mean().item<float>(), table["ln_scale_change"][1] is float s ? s : float.NaN, 4);
        Assert.Equal((entropy - cleanEntropy).mean().item<float>(), table["entropy_change"][1] is float e ? e : float.NaN, 3);
        float norm = _model.Blocks[1].Mlp.WOut[300].norm().item<float>();
        Assert.Equal(norm, table["w_out_norm"][1] is float n ? n : float.NaN, 5);
        var fraction = (float)table["null_space_fraction"][0]!;
        Assert.InRange(fraction, 0f, 1f);
    }

    [Fact]
    public void The_unigram_direction_is_centred_log_frequency_and_neurons_get_a_cosine_with_it()
    {
        using var scope = NewDisposeScope();
        var unigram = UnigramDirection.FromCounts([9, 0, 3, 0]);
        Assert.Equal(0f, unigram.sum().item<float>(), 5);
        var v = unigram.data<float>().ToArray();
        Assert.Equal(Math.Log(10.0 / 4), v[0] - v[2], 5); // (9 + 1) / (3 + 1)
        Assert.Equal(v[1], v[3]);

        var corpus = UnigramDirection.FromCorpus(_model, TokenSource.FromPrompts(_model, ["the the the and", "the Lord"]));
        Assert.Equal(50257, corpus.shape[0]);
        int the = _model.ToSingleToken(" the");
        Assert.Equal((int)corpus.argmax().item<long>(), the);
        var cos = EntropyNeurons.UnigramCosines(_model, corpus);
        Assert.Equal(512, cos.shape[0]);
        Assert.True(cos.abs().max().item<float>() <= 1.0001f);
        Assert.Equal(512, EntropyNeurons.UnigramTable(_model, corpus).Rows.Count);
    }

    [Fact]
    public void Streamed_correlations_equal_pearson_correlations_of_the_whole_data()
    {
        using var scope = NewDisposeScope();
        var g = new Generator(9);
        var x = randn([200, 4], generator: g, dtype: ScalarType.Float64);
        var y = cat([x[.., ..2] * 2 + 1, randn([200, 1], generator: g, dtype: ScalarType.Float64), ones(200, 1, dtype: ScalarType.Float64)], 1);
        using var acc = new CorrelationAccumulator();
        for (int i = 0; i < 200; i += 64) acc.Add(x[i..Math.Min(200, i + 64)], y[i..Math.Min(200, i + 64)]);
        var r = acc.Correlation();
        var full = corrcoef(cat([x, y], 1).t())[..4, 4..].to(ScalarType.Float32);
        full[.., 3] = 0; // a constant column correlates 0 by convention
        ReadingAssert.Close(full, r, 1e-5, "correlations");
        Assert.Equal(1f, r[0, 0].item<float>(), 5);
    }

    [Fact]
    public void Every_neuron_of_a_model_is_its_own_best_match_against_itself()
    {
        using var other = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-2l"));
        var source = TokenSource.FromPrompts(_model, [
            "In the beginning God created the heaven and the earth.",
            "And the earth was without form, and void; and darkness was upon the face of the deep.",
            "And the Spirit of God moved upon the face of the waters.",
            "A fool and his money are soon parted. He who laughs last laughs best."]);
        using var corr = UniversalNeurons.Correlate(_model, other, source, batchSize: 2, maxTokens: 60);
        Assert.Equal(60, corr.Tokens);
        Assert.Equal(new long[] { 1024, 1024 }, corr.Correlations.shape);
        var best = corr.BestMatches();
        int varying = 0;
        for (int i = 0; i < best.Rows.Count; i++)
        {
            var row = best.Rows[i];
            if ((float)row[4]! < 0.999f) continue; // neurons that never vary on these tokens correlate 0 with everything
            varying++;
            Assert.Equal(row[0], row[2]);
            Assert.Equal(row[1], row[3]);
        }
        Assert.True(varying > 900, $"only {varying} neurons matched themselves");
    }

    [Fact]
    public void Neurons_of_the_two_and_four_layer_models_match_better_than_those_of_a_random_model()
    {
        using var deeper = HookedTransformer.FromPretrained(TestPaths.Models("kjv-gpt2-4l"));
        using var random = HookedTransformer.FromConfig(deeper.Config, seed: 3);
        string verses = Path.Combine(TestPaths.RepoRoot, "data", "text", "genesis.txt");
        var source = TokenSource.FromTextFile(_model, verses, chunkTokens: 128);
        using var trained = UniversalNeurons.Correlate(_model, deeper, source, batchSize: 4, maxTokens: 1000);
        using var chance = UniversalNeurons.Correlate(_model, random, source, batchSize: 4, maxTokens: 1000);
        Assert.Equal(new long[] { 1024, 2048 }, trained.Correlations.shape);
        double Mean(NeuronCorrelation c) => c.BestMatches()["correlation"].Cast<float>().Average();
        double t = Mean(trained), r = Mean(chance);
        Assert.True(t > r + 0.1, $"mean best-match correlation {t:F3} with kjv-gpt2-4l vs {r:F3} with random weights");
        var best = trained.BestMatches();
        Assert.InRange((float)best["correlation"][0]!, 0.5f, 1.0001f);
        Assert.InRange((int)best["match_layer"][0]!, 0, 3);
    }

    [Fact]
    public void Neurons_that_fire_together_are_grouped()
    {
        using var scope = NewDisposeScope();
        var r = eye(5);
        r[0, 2] = r[2, 0] = 0.9f;
        r[2, 4] = r[4, 2] = 0.85f;
        r[1, 3] = r[3, 1] = 0.5f;
        var groups = CorrelatedNeurons.FromCorrelations(r, threshold: 0.8);
        Assert.Equal(new[] { 0, 2, 4 }, groups["neuron"].Cast<int>());
        Assert.Equal(0.45f, (float)groups["mean_correlation"][0]!, 5);

        var found = CorrelatedNeurons.Groups(_model, 0, TokenSource.FromPrompts(_model, ["And God said, Let there be light: and there was light."]), threshold: 0.95);
        Assert.All(found["size"].Cast<int>(), s => Assert.True(s >= 2));
    }
}

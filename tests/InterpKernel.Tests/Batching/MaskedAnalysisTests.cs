using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Batching;

/// <summary>Analyses over padded batches give what the prompts give alone; pads never enter a statistic.</summary>
public class MaskedAnalysisTests(PaddingModels models) : IClassFixture<PaddingModels>
{
    static readonly string[] Verses =
    [
        "In the beginning God created the heaven and the earth.",
        "And God said",
        "And the earth was without form, and void; and darkness was upon the face of the deep.",
    ];

    static Tensor Row(int[] ids) => tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length], ScalarType.Int64);

    [Theory]
    [InlineData("gpt2")]
    [InlineData("llama")]
    public void Patching_a_left_padded_batch_averages_what_each_pair_gives_alone(string name)
    {
        var model = models.Get(name);
        var prompts = PaddingModels.Prompts(model).Take(2).ToArray(); // 11 and 5 tokens
        // The corrupted prompt of each pair differs from the clean one in its first real token.
        var corrupted = prompts.Select(p => p.Select((t, i) => i == 0 ? (t % 200) + 7 : t).ToArray()).ToArray();
        using var clean = TokenBatch.FromIds(prompts, model.PadTokenId, PaddingSide.Left);
        using var corrupt = TokenBatch.FromIds(corrupted, model.PadTokenId, PaddingSide.Left);
        Func<Tensor, Tensor> metric = logits => logits.select(1, -1)[.., 7] - logits.select(1, -1)[.., 9]; // [batch]
        var patches = new[]
        {
            new Patch(HookNames.Of("resid_pre", 1), [TensorIndex.Single(-1)]),
            new Patch(HookNames.Of("z", 0), [TensorIndex.Colon, TensorIndex.Single(1)]),
            new Patch(HookNames.Of("resid_pre", 1), [TensorIndex.Single(-3)]),
        };
        using var batched = ActivationPatching.Run(model, clean, corrupt, metric, patches);
        using var expected = zeros(patches.Length);
        for (int r = 0; r < prompts.Length; r++)
        {
            using var c = Row(prompts[r]);
            using var x = Row(corrupted[r]);
            using var alone = ActivationPatching.Run(model, c, x, metric, patches);
            expected.add_(alone / prompts.Length);
        }
        float diff = (batched - expected).abs().max().item<float>();
        Assert.True(diff <= 1e-4f, $"{name}: patching a padded batch differs from the prompts alone by {diff}");
    }

    [Fact]
    public void Padded_patching_refuses_batches_padded_differently()
    {
        var model = models.Gpt2;
        using var a = TokenBatch.FromIds([[1, 2, 3], [4, 5]], model.PadTokenId, PaddingSide.Left);
        using var b = TokenBatch.FromIds([[1, 2], [4, 5, 6]], model.PadTokenId, PaddingSide.Left);
        Assert.Throws<ArgumentException>(() => ActivationPatching.Run(model, a, b, l => l.select(1, -1)[.., 0], [Patch.All("hook_embed")]));
    }

    [Fact]
    public void Mean_ablation_over_a_padded_batch_averages_real_tokens_only()
    {
        var model = models.Gpt2;
        using var scope = NewDisposeScope();
        using var reference = model.ToTokens(Verses, PaddingSide.Right);
        // The mean of head 2's z in layer 1 over every real token of the three verses, each run alone.
        var perVerse = Verses.Select(v =>
        {
            var (logits, cache) = model.RunWithCache(model.ToTokens(v), "blocks.1.attn.hook_z");
            using (cache) return cache["blocks.1.attn.hook_z"][0, .., 2].clone(); // [pos, d_head]
        }).ToArray();
        var expectedMean = cat(perVerse, 0).mean([0]); // [d_head]
        var tokens = model.ToTokens("And Abraham said unto Isaac");
        var byHand = model.RunWithHooks(tokens, ("blocks.1.attn.hook_z", (z, _) => { var c = z.clone(); c[.., .., 2] = expectedMean; return c; }));
        Tensor ablated;
        using (Ablation.Apply(model, AblationTarget.Head(1, 2), AblationKind.Mean, reference)) ablated = model.Forward(tokens);
        float diff = (ablated - byHand).abs().max().item<float>();
        Assert.True(diff <= 1e-4f, $"mean ablation over real tokens differs by {diff}");
        // Counting the pads (the tensor overload) gives another mean.
        Tensor withPads;
        using (Ablation.Apply(model, AblationTarget.Head(1, 2), AblationKind.Mean, reference.Tokens)) withPads = model.Forward(tokens);
        Assert.True((withPads - byHand).abs().max().item<float>() > 1e-3f);
    }

    [Fact]
    public void A_neuron_scan_of_a_padded_batch_counts_real_tokens_only()
    {
        var model = models.Gpt2;
        using var batch = model.ToTokens(Verses, PaddingSide.Left);
        var site = ActivationSite.Neuron(1, 5);
        var fromBatch = ActivationScan.Run(model, site, TokenSource.FromTokens(model, batch));
        var fromPrompts = ActivationScan.Run(model, site, TokenSource.FromPrompts(model, Verses));
        Assert.Equal(fromPrompts.Tokens, fromBatch.Tokens);
        Assert.Equal(fromPrompts.Statistics.Mean, fromBatch.Statistics.Mean, 4);
        Assert.Equal(fromPrompts.Statistics.Max, fromBatch.Statistics.Max, 4);
    }

    [Fact]
    public void Collected_activations_of_a_padded_batch_equal_those_of_the_prompts()
    {
        var model = models.Gpt2;
        using var batch = model.ToTokens(Verses, PaddingSide.Left);
        float[] labels = [1, 0, 1];
        string[] hooks = ["blocks.1.hook_resid_post"];
        using var fromBatch = ActivationCollector.Collect(model, hooks, batch, labels, TokenPositions.All);
        using var fromPrompts = ActivationCollector.Collect(model, hooks, Verses, labels, TokenPositions.All);
        Assert.Equal(batch.Lengths.Sum(), fromBatch.Count);
        Assert.Equal(fromPrompts.Count, fromBatch.Count);
        Assert.True(fromBatch.Activations.allclose(fromPrompts.Activations, rtol: 1e-4, atol: 1e-4));
    }
}

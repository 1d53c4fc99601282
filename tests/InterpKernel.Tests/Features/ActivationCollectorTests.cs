using InterpKernel.Analysis;
using Xunit;
using static TorchSharp.torch;

namespace InterpKernel.Tests.Features;

public class ActivationCollectorTests
{
    static readonly string[] Prompts = ["In the beginning God created the heaven", "And Isaac said", "And Abraham begat Isaac, and Isaac begat Jacob"];

    [Fact]
    public void Last_token_rows_match_a_cached_forward_of_each_prompt_alone_whatever_the_batching()
    {
        using var model = FeatureTestData.Model();
        const string hook = "blocks.1.hook_resid_post";
        using var batched = ActivationCollector.Collect(model, hook, Prompts, [1f, 0f, 1f]);
        using var single = ActivationCollector.Collect(model, hook, Prompts, [1f, 0f, 1f], options: new CollectionOptions { MaxTokensPerBatch = 1 });
        Assert.Equal([3L, 128L], batched.Activations.shape);
        Assert.True(batched.Activations.allclose(single.Activations, rtol: 1e-4, atol: 1e-4));
        for (int i = 0; i < Prompts.Length; i++)
        {
            using var tokens = model.ToTokens(Prompts[i]);
            var (logits, cache) = model.RunWithCache(tokens, n => n == hook);
            using (logits) using (cache)
                Assert.True(cache[hook][0, -1].allclose(batched.Activations[i], rtol: 1e-4, atol: 1e-4), $"prompt {i}");
            Assert.Equal(tokens.shape[1] - 1, batched.Sources[i].Position);
        }
        Assert.Equal([1f, 0f, 1f], batched.Labels.data<float>().ToArray());
    }

    [Fact]
    public void Every_token_and_matching_tokens_select_the_right_rows()
    {
        using var model = FeatureTestData.Model();
        using var all = ActivationCollector.Collect(model, "hook_embed", Prompts, [0f, 1f, 2f], TokenPositions.All);
        int total = Prompts.Sum(p => model.ToStrTokens(p).Length);
        Assert.Equal(total, all.Count);
        using var isaac = ActivationCollector.Collect(model, "blocks.0.mlp.hook_post", Prompts, [0f, 1f, 2f], TokenPositions.Matching("Isaac"));
        Assert.Equal(3, isaac.Count);
        Assert.All(isaac.Sources, s => Assert.Equal(" Isaac", s.Token));
        Assert.Equal([1, 2, 2], isaac.Sources.Select(s => s.Prompt));
        Assert.Equal([3L, 512L], isaac.Activations.shape);
        var e = Assert.Throws<ArgumentException>(() => ActivationCollector.Collect(model, "hook_embed", Prompts, [0f, 1f, 2f], TokenPositions.Matching("Pharaoh")));
        Assert.Contains("No token position", e.Message);
        e = Assert.Throws<ArgumentException>(() => ActivationCollector.Collect(model, "blocks.1.hook_resid_pots", Prompts, [0f, 1f, 2f]));
        Assert.Contains("hook_resid_post", e.Message);
    }
}
